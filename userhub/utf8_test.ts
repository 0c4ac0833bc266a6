import assert from "node:assert/strict";
import { decodeUtf8 } from "./utf8.ts";

const strict = new TextDecoder("utf-8", { fatal: true });
const encoder = new TextEncoder();

Deno.test("decodeUtf8() gives the text a strict decoder gives", () => {
  for (
    const text of [
      "",
      '{"id":"evt_1"}',
      "Zürich, 東京, 🦕",
      "a real \uFFFD replacement character",
      "\uFEFFa leading byte order mark",
      "\uFFFD",
      "\uFEFF\uFFFD",
    ]
  ) {
    const bytes = encoder.encode(text);
    assert.equal(decodeUtf8(bytes), strict.decode(bytes), JSON.stringify(text));
  }
});

Deno.test("decodeUtf8() refuses every invalid sequence a strict decoder refuses", () => {
  const cases: Record<string, number[]> = {
    "a lone continuation byte": [0x61, 0x80, 0x62],
    "0xFF": [0x7b, 0xff, 0x7d],
    "a truncated two-byte sequence at the end": [0x61, 0xc3],
    "an overlong slash": [0xc0, 0xaf],
    "a UTF-16 surrogate": [0xed, 0xa0, 0x80],
    "a code point above U+10FFFF": [0xf4, 0x90, 0x80, 0x80],
    "an invalid byte beside a real U+FFFD": [0xef, 0xbf, 0xbd, 0xff],
    "an invalid byte after a byte order mark": [0xef, 0xbb, 0xbf, 0xff],
  };
  for (const [name, bytes] of Object.entries(cases)) {
    const input = new Uint8Array(bytes);
    assert.throws(() => strict.decode(input), TypeError, `strict decoder: ${name}`);
    assert.throws(() => decodeUtf8(input), TypeError, name);
  }
});

import assert from "node:assert/strict";
import { HmacSha256, joined, sha256Hex } from "./_hashing.ts";

const encoder = new TextEncoder();

Deno.test("sha256Hex() gives the FIPS 180-4 example digests", async () => {
  const cases: [string, string][] = [
    ["", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"],
    ["abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"],
    [
      "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
    ],
  ];
  for (const [message, expected] of cases) {
    assert.equal(await sha256Hex(joined("", encoder.encode(message))), expected);
    // The same message split between prefix and body.
    assert.equal(
      await sha256Hex(joined(message.slice(0, 2), encoder.encode(message.slice(2)))),
      expected,
    );
  }
});

Deno.test("HmacSha256 gives the RFC 4231 test case results, and verifies them", async () => {
  const cases: [Uint8Array<ArrayBuffer>, string, string][] = [
    [
      new Uint8Array(20).fill(0x0b),
      "Hi There",
      "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
    ],
    [
      encoder.encode("Jefe"),
      "what do ya want for nothing?",
      "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    ],
    [
      new Uint8Array(131).fill(0xaa),
      "Test Using Larger Than Block-Size Key - Hash Key First",
      "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
    ],
  ];
  for (const [key, message, expected] of cases) {
    const mac = new HmacSha256(key);
    assert.equal(await mac.hex(joined("", encoder.encode(message))), expected);
    assert.equal(await mac.verify(encoder.encode(message), Uint8Array.fromHex(expected)), true);
    const wrong = Uint8Array.fromHex(expected);
    wrong[31]! ^= 1;
    assert.equal(await mac.verify(encoder.encode(message), wrong), false);
  }
});

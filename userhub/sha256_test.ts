import assert from "node:assert/strict";
import { hexMatches, HmacSha256, Sha256, wordsToHex } from "./sha256.ts";

const encoder = new TextEncoder();

function sha256Hex(...parts: Uint8Array[]): string {
  const hasher = new Sha256();
  for (const part of parts) hasher.update(part);
  const words = new Int32Array(8);
  hasher.digest(words);
  return wordsToHex(words);
}

async function webCryptoHex(
  algorithm: "SHA-256" | CryptoKey,
  message: Uint8Array<ArrayBuffer>,
): Promise<string> {
  const digest = algorithm === "SHA-256"
    ? await crypto.subtle.digest("SHA-256", message)
    : await crypto.subtle.sign("HMAC", algorithm, message);
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** Deterministic bytes, so a failure can be reproduced. */
function bytes(length: number, seed: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(length);
  let x = seed * 2654435761 + 1;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

Deno.test("SHA-256 gives the FIPS 180-4 example digests", () => {
  assert.equal(
    sha256Hex(new Uint8Array()),
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  );
  assert.equal(
    sha256Hex(encoder.encode("abc")),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
  assert.equal(
    sha256Hex(encoder.encode("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
  );
});

Deno.test("SHA-256 matches WebCrypto for every length around the block and padding edges", async () => {
  for (let length = 0; length <= 300; length++) {
    const message = bytes(length, length);
    assert.equal(sha256Hex(message), await webCryptoHex("SHA-256", message), `length ${length}`);
  }
  const large = bytes(70_000, 7);
  assert.equal(sha256Hex(large), await webCryptoHex("SHA-256", large));
});

Deno.test("SHA-256 gives the same digest however the message is split", async () => {
  const message = bytes(1000, 3);
  const expected = await webCryptoHex("SHA-256", message);
  for (const cut of [1, 55, 63, 64, 65, 127, 500]) {
    for (const second of [0, 1, 64, 100]) {
      const parts = [
        message.subarray(0, cut),
        message.subarray(cut, cut + second),
        message.subarray(cut + second),
      ];
      assert.equal(sha256Hex(...parts), expected, `cut ${cut}+${second}`);
    }
  }
});

Deno.test("SHA-256 state saved after whole blocks resumes the message", () => {
  const message = bytes(300, 5);
  const hasher = new Sha256().update(message.subarray(0, 128));
  const saved = new Int32Array(8);
  hasher.save(saved);
  const words = new Int32Array(8);
  new Sha256().reset(saved, 128).update(message.subarray(128)).digest(words);
  assert.equal(wordsToHex(words), sha256Hex(message));
  assert.throws(() => new Sha256().update(message.subarray(0, 3)).save(saved), RangeError);
});

Deno.test("HMAC-SHA256 gives the RFC 4231 test case results", () => {
  const cases: [Uint8Array, Uint8Array, string][] = [
    [
      new Uint8Array(20).fill(0x0b),
      encoder.encode("Hi There"),
      "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
    ],
    [
      encoder.encode("Jefe"),
      encoder.encode("what do ya want for nothing?"),
      "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    ],
    [
      new Uint8Array(131).fill(0xaa),
      encoder.encode("Test Using Larger Than Block-Size Key - Hash Key First"),
      "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
    ],
  ];
  const words = new Int32Array(8);
  for (const [key, message, expected] of cases) {
    new HmacSha256(key).compute("", message, words);
    assert.equal(wordsToHex(words), expected);
  }
});

Deno.test("HMAC-SHA256 of an ASCII prefix and a body matches WebCrypto over their concatenation", async () => {
  const words = new Int32Array(8);
  for (const keyLength of [1, 10, 64, 65, 200]) {
    const key = bytes(keyLength, keyLength + 1);
    const mac = new HmacSha256(key);
    const cryptoKey = await crypto.subtle.importKey(
      "raw",
      key,
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign"],
    );
    for (const length of [0, 1, 52, 53, 54, 64, 117, 1572, 4096]) {
      const body = bytes(length, length);
      for (const prefix of ["", "1700000000.", "x".repeat(70)]) {
        mac.compute(prefix, body, words);
        const message = new Uint8Array(prefix.length + length);
        message.set(encoder.encode(prefix));
        message.set(body, prefix.length);
        assert.equal(
          wordsToHex(words),
          await webCryptoHex(cryptoKey, message),
          `key ${keyLength}, prefix ${prefix.length}, body ${length}`,
        );
      }
    }
  }
});

Deno.test("hexMatches accepts the digest in either case and nothing else", () => {
  const words = new Int32Array(8);
  new Sha256().update(encoder.encode("abc")).digest(words);
  const hex = wordsToHex(words);
  assert.equal(hexMatches(words, hex), 1);
  assert.equal(hexMatches(words, hex.toUpperCase()), 1);
  for (let i = 0; i < 64; i++) {
    const flipped = hex.slice(0, i) + (hex[i] === "0" ? "1" : "0") + hex.slice(i + 1);
    assert.equal(hexMatches(words, flipped), 0, `digit ${i}`);
  }
  assert.equal(hexMatches(words, hex.slice(1)), 0);
  assert.equal(hexMatches(words, hex + "0"), 0);
  assert.equal(hexMatches(words, hex.slice(0, 63) + "g"), 0);
  assert.equal(hexMatches(words, hex.slice(0, 63) + "\u0100"), 0);
  assert.equal(hexMatches(words, ""), 0);
});

Deno.test("Sha256.updateAscii() refuses a character it cannot hash as one byte", () => {
  assert.throws(() => new Sha256().updateAscii("1700000000é"), RangeError);
  const mac = new HmacSha256(encoder.encode("key"));
  assert.throws(() => mac.compute("17\u0100.", new Uint8Array(), new Int32Array(8)), RangeError);
});

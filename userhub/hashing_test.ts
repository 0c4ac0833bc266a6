import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { HmacSha256, sha256Hex, SMALL_BODY_BYTES } from "./_hashing.ts";

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
    assert.equal(await sha256Hex("", encoder.encode(message)), expected);
    // The same message split between prefix and body.
    assert.equal(await sha256Hex(message.slice(0, 2), encoder.encode(message.slice(2))), expected);
  }
});

Deno.test("HmacSha256 gives the RFC 4231 test case results", async () => {
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
    assert.equal(await new HmacSha256(key).hex("", encoder.encode(message)), expected);
  }
});

/** Random bytes: `crypto.getRandomValues` fills at most 64 KiB a call. */
function randomBytes(length: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(length);
  for (let offset = 0; offset < length; offset += 65536) {
    crypto.getRandomValues(bytes.subarray(offset, Math.min(length, offset + 65536)));
  }
  return bytes;
}

Deno.test("HmacSha256 and sha256Hex agree with node:crypto on random keys, lengths and timestamps", async () => {
  // Both sides of the switch to WebCrypto, block and padding edges, and sizes up to 3 MiB.
  const edges = [0, 1, 55, 56, 63, 64, 65, 119, 120, 1572, 4096];
  const switchSizes = [SMALL_BODY_BYTES - 1, SMALL_BODY_BYTES, SMALL_BODY_BYTES + 1];
  const randomSizes = Array.from({ length: 40 }, () => Math.floor(Math.random() * 200_000));
  const largeSizes = [1024 * 1024, 3 * 1024 * 1024 + 7];
  const deadline = Date.now() + 10_000;
  let checked = 0;
  for (const size of [...edges, ...switchSizes, ...randomSizes, ...largeSizes]) {
    const key = randomBytes(1 + Math.floor(Math.random() * 150));
    const body = randomBytes(size);
    const timestamp = String(Math.floor(Math.random() * 4_000_000_000));
    const about = `key of ${key.length} bytes, body of ${size}, timestamp ${timestamp}`;
    assert.equal(
      await new HmacSha256(key).hex(`${timestamp}.`, body),
      createHmac("sha256", key).update(`${timestamp}.`).update(body).digest("hex"),
      about,
    );
    assert.equal(
      await sha256Hex(`${timestamp}.`, body),
      createHash("sha256").update(`${timestamp}.`).update(body).digest("hex"),
      about,
    );
    checked++;
    if (Date.now() > deadline) break;
  }
  // The bound on time must not quietly skip most of the cases.
  assert.ok(checked >= 20, `only ${checked} cases checked in time`);
});

Deno.test("HmacSha256 gives the same HMAC to calls that overlap", async () => {
  const mac = new HmacSha256(encoder.encode("whsec_test"));
  const bodies = [1, SMALL_BODY_BYTES + 10, 100, 300_000].map(randomBytes);
  const together = await Promise.all(bodies.map((body) => mac.hex("1.", body)));
  for (const [i, body] of bodies.entries()) {
    assert.equal(
      together[i],
      createHmac("sha256", "whsec_test").update("1.").update(body).digest("hex"),
    );
  }
});

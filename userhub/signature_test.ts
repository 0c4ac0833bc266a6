import assert from "node:assert/strict";
import { parseSecrets, sign, SigningKey, verifySignature } from "./_signature.ts";

const encoder = new TextEncoder();
const BODY = encoder.encode('{"challenge":"abc"}');
// printf '%s' '1700000000.{"challenge":"abc"}' | openssl dgst -sha256 -hmac whsec_test -hex
const KNOWN_SIGNATURE = "9d27d841ef1f48daa694527c76b85a752c837a1720a40706b098a7838da284b8";

Deno.test("sign() matches a known-answer vector computed with openssl", async () => {
  const key = new SigningKey("whsec_test");
  assert.equal(await sign(key, 1700000000, BODY), KNOWN_SIGNATURE);
  assert.equal(await sign(key, "1700000000", BODY), KNOWN_SIGNATURE);
});

Deno.test("sign() keys the HMAC with the secret's UTF-8 bytes", async () => {
  const key = new SigningKey("whsec_é");
  const raw = await crypto.subtle.importKey(
    "raw",
    encoder.encode("whsec_é"),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["verify"],
  );
  const signature = await sign(key, 1, BODY);
  const bytes = Uint8Array.from(signature.match(/../g)!, (hex) => parseInt(hex, 16));
  assert.ok(
    await crypto.subtle.verify("HMAC", raw, bytes, encoder.encode('1.{"challenge":"abc"}')),
  );
});

Deno.test("verifySignature()", async (t) => {
  const key = new SigningKey("whsec_test");
  const other = new SigningKey("whsec_other");

  await t.step("accepts the known signature", async () => {
    assert.equal(await verifySignature([key], "1700000000", BODY, [KNOWN_SIGNATURE]), true);
  });
  await t.step("accepts it under the second of two keys", async () => {
    assert.equal(await verifySignature([other, key], "1700000000", BODY, [KNOWN_SIGNATURE]), true);
  });
  await t.step("accepts it among other signatures", async () => {
    const signatures = ["0".repeat(64), "xyz", KNOWN_SIGNATURE];
    assert.equal(await verifySignature([key], "1700000000", BODY, signatures), true);
  });
  await t.step("rejects it under another key only", async () => {
    assert.equal(await verifySignature([other], "1700000000", BODY, [KNOWN_SIGNATURE]), false);
  });
  await t.step("rejects it for another timestamp", async () => {
    assert.equal(await verifySignature([key], "1700000001", BODY, [KNOWN_SIGNATURE]), false);
  });
  await t.step("rejects it for another body", async () => {
    const body = encoder.encode('{"challenge":"abd"}');
    assert.equal(await verifySignature([key], "1700000000", body, [KNOWN_SIGNATURE]), false);
  });
  await t.step("rejects a truncated, an extended or a non-hex signature", async () => {
    for (
      const signature of [
        KNOWN_SIGNATURE.slice(0, 63),
        KNOWN_SIGNATURE.slice(0, 62),
        `${KNOWN_SIGNATURE}00`,
        `${KNOWN_SIGNATURE.slice(0, 62)}zz`,
        "",
      ]
    ) {
      assert.equal(await verifySignature([key], "1700000000", BODY, [signature]), false, signature);
    }
  });
  await t.step("rejects when no signature is given", async () => {
    assert.equal(await verifySignature([key], "1700000000", BODY, []), false);
  });
});

Deno.test("new SigningKey() refuses an empty secret", () => {
  assert.throws(() => new SigningKey(""), TypeError);
});

Deno.test("parseSecrets() splits on commas and whitespace and drops blanks", () => {
  assert.deepEqual(parseSecrets("whsec_a"), ["whsec_a"]);
  assert.deepEqual(parseSecrets(" whsec_a,whsec_b \n\twhsec_c ,, "), [
    "whsec_a",
    "whsec_b",
    "whsec_c",
  ]);
  assert.deepEqual(parseSecrets(" , \n"), []);
});

Deno.test("sign() agrees with node:crypto for every body size, key length and path", async () => {
  const { createHmac } = await import("node:crypto");
  const sizes = [
    0,
    1,
    52,
    53,
    54,
    55,
    56,
    63,
    64,
    65,
    117,
    118,
    119,
    120,
    1593,
    4095,
    4096,
    4097,
    16384,
    16385,
    70000,
  ];
  for (const secret of ["k", "whsec_test", "x".repeat(64), "y".repeat(65), "é".repeat(40)]) {
    const key = new SigningKey(secret);
    for (const size of sizes) {
      const body = Uint8Array.from({ length: size }, (_, i) => (i * 131 + size) & 0xff);
      const expected = createHmac("sha256", secret).update("1700000000.").update(body).digest(
        "hex",
      );
      assert.equal(await sign(key, "1700000000", body), expected, `${secret.length} ${size}`);
      assert.ok(await verifySignature([key], "1700000000", body, [expected.toUpperCase()]));
    }
  }
});

/**
 * Micro-benchmarks of signing and verifying (`deno bench userhub/`): this
 * receiver's signing code beside the plain WebCrypto path
 * (`crypto.subtle.sign` / `crypto.subtle.verify` over `<timestamp>.<body>`)
 * as the baseline, and `node:crypto`, at the size of the load benchmark's
 * event (1.6 KB), 64 KB, a large event (256 KiB) and the 5 MiB limit.
 *
 * @module
 */

import { createHmac, timingSafeEqual } from "node:crypto";
import { sign, SigningKey, verifySignature } from "./_signature.ts";

const SECRET = "whsec_bench_0123456789abcdef";
const TIMESTAMP = "1700000000";
const encoder = new TextEncoder();

const webCryptoKey = await crypto.subtle.importKey(
  "raw",
  encoder.encode(SECRET),
  { name: "HMAC", hash: "SHA-256" },
  false,
  ["sign", "verify"],
);
const key = new SigningKey(SECRET);

function signedMessage(body: Uint8Array): Uint8Array<ArrayBuffer> {
  const prefix = encoder.encode(`${TIMESTAMP}.`);
  const message = new Uint8Array(prefix.length + body.length);
  message.set(prefix);
  message.set(body, prefix.length);
  return message;
}

for (
  const [label, size] of [
    ["1.6 KB", 1600],
    ["64 KB", 64 * 1024],
    ["256 KiB", 256 * 1024],
    ["5 MiB", 5 * 1024 * 1024],
  ] as const
) {
  const body = new Uint8Array(size).fill(0x61);
  const signature = await sign(key, TIMESTAMP, body);
  const signatureBytes = Uint8Array.fromHex(signature);

  Deno.bench(`WebCrypto sign ${label}`, { group: `sign ${label}`, baseline: true }, async () => {
    // What a plain WebCrypto receiver does per call: build the message, sign it.
    await crypto.subtle.sign("HMAC", webCryptoKey, signedMessage(body));
  });
  Deno.bench(`node:crypto createHmac ${label}`, { group: `sign ${label}` }, () => {
    createHmac("sha256", SECRET).update(`${TIMESTAMP}.`).update(body).digest("hex");
  });
  Deno.bench(`SigningKey.sign() ${label}`, { group: `sign ${label}` }, async () => {
    await key.sign(TIMESTAMP, body);
  });

  Deno.bench(
    `WebCrypto verify ${label}`,
    { group: `verify ${label}`, baseline: true },
    async () => {
      await crypto.subtle.verify("HMAC", webCryptoKey, signatureBytes, signedMessage(body));
    },
  );
  Deno.bench(`node:crypto createHmac ${label}`, { group: `verify ${label}` }, () => {
    const digest = createHmac("sha256", SECRET).update(`${TIMESTAMP}.`).update(body).digest();
    timingSafeEqual(digest, signatureBytes);
  });
  Deno.bench(`verifySignature() ${label}`, { group: `verify ${label}` }, async () => {
    await verifySignature([key], TIMESTAMP, body, [signature]);
  });
}

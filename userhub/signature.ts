/**
 * UserHub's request signature: lowercase hex HMAC-SHA256 of
 * `<timestamp>.<raw body>`, keyed with the UTF-8 bytes of the signing secret.
 *
 * Pure functions: bytes, keys and timestamps in, no environment, no logging.
 *
 * @module
 */

import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";

const encoder = new TextEncoder();
const DOT = 0x2e;
const DIGEST_BYTES = 32;
/**
 * Bodies up to this size are hashed in JavaScript (`@noble/hashes`), synchronously; larger ones
 * by WebCrypto, whose fixed cost per call (about 20 µs) is then small beside
 * the hashing, which it does natively and off the main thread.
 */
export const SMALL_BODY_BYTES = 16 * 1024;

/**
 * A signing secret prepared once for HMAC-SHA256 (RFC 2104): SHA-256 already
 * run over the key XORed with the inner and the outer pad, so a call hashes
 * only its own bytes; and the same secret as a WebCrypto key, for large
 * bodies. Make it with {@linkcode importSigningKey}.
 */
export class SigningKey {
  readonly #hmac: ReturnType<typeof hmac.create>;
  readonly #cryptoKey: CryptoKey;

  /**
   * Use {@linkcode importSigningKey}.
   * @param secret The secret's UTF-8 bytes.
   * @param cryptoKey The same secret, imported for WebCrypto HMAC-SHA256.
   */
  constructor(secret: Uint8Array, cryptoKey: CryptoKey) {
    // Hashes the key's inner and outer pad once; each call clones that state.
    this.#hmac = hmac.create(sha256, secret);
    this.#cryptoKey = cryptoKey;
  }

  /**
   * The HMAC-SHA256 of `<timestamp>.<body>`: synchronous for a small body.
   *
   * @param timestamp The timestamp text.
   * @param body The raw body.
   * @returns 64 lowercase hex digits, or a promise of them for a body over
   * {@linkcode SMALL_BODY_BYTES}.
   */
  hmacHex(timestamp: string, body: Uint8Array): string | Promise<string> {
    if (body.length > SMALL_BODY_BYTES) return this.#webCryptoHex(timestamp, body);
    const mac = this.#hmac.clone();
    mac.update(encoder.encode(timestamp)).update(DOT_BYTES).update(body);
    return toHex(mac.digest());
  }

  async #webCryptoHex(timestamp: string, body: Uint8Array): Promise<string> {
    const prefix = encoder.encode(timestamp);
    const message = new Uint8Array(prefix.length + 1 + body.length);
    message.set(prefix);
    message[prefix.length] = DOT;
    message.set(body, prefix.length + 1);
    return toHex(new Uint8Array(await crypto.subtle.sign("HMAC", this.#cryptoKey, message)));
  }
}

const DOT_BYTES = new Uint8Array([DOT]);

/**
 * Splits a `SIGNING_SECRET` value into its secrets. Several secrets, separated
 * by commas or whitespace, let a deployment accept the old and the new secret
 * while UserHub rotates.
 *
 * @param value The raw variable, e.g. `"whsec_old, whsec_new"`.
 * @returns The non-empty secrets, in order.
 *
 * @example
 * ```ts
 * import { parseSecrets } from "./signature.ts";
 *
 * console.assert(parseSecrets(" a, b\nc ").join() === "a,b,c");
 * ```
 */
export function parseSecrets(value: string): string[] {
  return value.split(/[\s,]+/).filter((secret) => secret !== "");
}

/**
 * Imports a signing secret as an HMAC-SHA256 key. Do it once at start, not per
 * request.
 *
 * @param secret The webhook's signing secret, as shown in the Admin console.
 * @returns The key for {@linkcode sign} and {@linkcode verifySignature}.
 */
export function importSigningKey(secret: string): Promise<SigningKey> {
  if (secret === "") throw new TypeError("Cannot import signing key: the secret is empty");
  const bytes = encoder.encode(secret);
  return crypto.subtle.importKey("raw", bytes, { name: "HMAC", hash: "SHA-256" }, false, ["sign"])
    .then((cryptoKey) => new SigningKey(bytes, cryptoKey));
}

/**
 * Signs a body the way UserHub does.
 *
 * @param key A key from {@linkcode importSigningKey}.
 * @param timestamp Unix time in whole seconds, as sent in `UserHub-Timestamp`.
 * @param body The raw request body.
 * @returns The lowercase hex signature for `UserHub-Signature`.
 *
 * @example
 * ```ts
 * import { importSigningKey, sign } from "./signature.ts";
 *
 * const key = await importSigningKey("whsec_test");
 * const body = new TextEncoder().encode('{"challenge":"abc"}');
 * const signature = await sign(key, "1700000000", body);
 * console.assert(/^[0-9a-f]{64}$/.test(signature));
 * ```
 */
export async function sign(
  key: SigningKey,
  timestamp: string | number,
  body: Uint8Array,
): Promise<string> {
  return await key.hmacHex(String(timestamp), body);
}

/**
 * Checks UserHub signatures in constant time. The call is valid when any
 * signature matches the HMAC under any key (secret rotation on either side).
 * A signature that is not 64 hex digits simply does not match; upper-case hex
 * matches as lower-case does.
 *
 * @param keys The receiver's keys, from {@linkcode importSigningKey}.
 * @param timestamp The `UserHub-Timestamp` text, exactly as received.
 * @param body The raw request body.
 * @param signatures The received signatures, already split and trimmed.
 * @returns Whether one of them matches.
 */
export async function verifySignature(
  keys: readonly SigningKey[],
  timestamp: string,
  body: Uint8Array,
  signatures: readonly string[],
): Promise<boolean> {
  if (!signatures.some(isHexDigest)) return false;
  let matched = 0;
  for (const key of keys) {
    const expected = key.hmacHex(timestamp, body);
    const hex = typeof expected === "string" ? expected : await expected;
    // Every pair is compared in full, so timing tells nothing about which matched.
    for (const signature of signatures) matched |= hexEqual(hex, signature);
  }
  return matched === 1;
}

/** 0-9, a-f and A-F map to the lower-case character code; anything else to 0x100. */
const HEX_LOWER = Array.from({ length: 128 }, (_, code) => {
  const char = String.fromCharCode(code);
  return /^[0-9a-fA-F]$/.test(char) ? char.toLowerCase().charCodeAt(0) : 0x100;
});

function isHexDigest(text: string): boolean {
  return text.length === 2 * DIGEST_BYTES && /^[0-9a-fA-F]+$/.test(text);
}

/**
 * Compares lower-case hex `expected` with a received signature without an
 * early exit: 1 when equal (case-insensitively), else 0.
 */
function hexEqual(expected: string, received: string): 0 | 1 {
  if (received.length !== expected.length) return 0;
  let difference = 0;
  for (let i = 0; i < expected.length; i++) {
    const code = received.charCodeAt(i);
    difference |= (code < 128 ? HEX_LOWER[code]! : 0x100) ^ expected.charCodeAt(i);
  }
  return difference === 0 ? 1 : 0;
}

const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"));

function toHex(bytes: Uint8Array): string {
  let hex = "";
  for (let i = 0; i < bytes.length; i++) hex += HEX[bytes[i]!];
  return hex;
}

/**
 * UserHub's request signature: lowercase hex HMAC-SHA256 of
 * `<timestamp>.<raw body>`, keyed with the UTF-8 bytes of the signing secret.
 *
 * Pure functions: bytes, keys and timestamps in, no environment, no logging.
 *
 * @module
 */

const encoder = new TextEncoder();
const DOT = 0x2e;

/** A signing secret imported once for HMAC-SHA256, ready to sign and verify. */
export type SigningKey = CryptoKey;

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
  return crypto.subtle.importKey(
    "raw",
    encoder.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
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
  return toHex(await hmac(key, String(timestamp), body));
}

/**
 * Checks UserHub signatures in constant time. The call is valid when any
 * signature matches the HMAC under any key (secret rotation on either side).
 * A signature that is not 64 hex digits simply does not match.
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
  const candidates = signatures.map(fromHex).filter((bytes) => bytes !== undefined);
  if (candidates.length === 0) return false;
  let matched = false;
  for (const key of keys) {
    const expected = await hmac(key, timestamp, body);
    for (const candidate of candidates) {
      // Every pair is compared in full, so timing tells nothing about which matched.
      if (constantTimeEqual(expected, candidate)) matched = true;
    }
  }
  return matched;
}

async function hmac(key: SigningKey, timestamp: string, body: Uint8Array): Promise<Uint8Array> {
  const prefix = encoder.encode(timestamp);
  const message = new Uint8Array(prefix.length + 1 + body.length);
  message.set(prefix);
  message[prefix.length] = DOT;
  message.set(body, prefix.length + 1);
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, message));
}

function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!;
  return difference === 0;
}

const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"));

function toHex(bytes: Uint8Array): string {
  let hex = "";
  for (const byte of bytes) hex += HEX[byte];
  return hex;
}

function fromHex(hex: string): Uint8Array | undefined {
  if (hex.length !== 64 || !/^[0-9a-fA-F]+$/.test(hex)) return undefined;
  const bytes = new Uint8Array(32);
  for (let i = 0; i < 32; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

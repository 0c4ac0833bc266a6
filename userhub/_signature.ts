/**
 * UserHub's request signature: lowercase hex HMAC-SHA256 of
 * `<timestamp>.<raw body>`, keyed with the UTF-8 bytes of the signing secret.
 *
 * Pure functions: bytes, keys and timestamps in, no environment, no logging.
 *
 * @module
 */

import { HmacSha256, joined } from "./_hashing.ts";

const encoder = new TextEncoder();

/** A signing secret, prepared once for HMAC-SHA256. */
export class SigningKey {
  readonly #mac: HmacSha256;

  /**
   * Prepares a secret.
   * @param secret The webhook's signing secret, as shown in the Admin console.
   * @throws {TypeError} When the secret is empty.
   */
  constructor(secret: string) {
    if (secret === "") throw new TypeError("Cannot import signing key: the secret is empty");
    this.#mac = new HmacSha256(encoder.encode(secret));
  }

  /**
   * The signature of a body, as UserHub computes it.
   * @param timestamp The timestamp text, exactly as sent in `UserHub-Timestamp`.
   * @param body The raw body.
   * @returns 64 lowercase hex digits.
   */
  async sign(timestamp: string, body: Uint8Array): Promise<string> {
    return await this.#mac.hex(joined(`${timestamp}.`, body));
  }

  /**
   * Whether a signature is this key's, compared in constant time.
   * @param signed The signed bytes, `<timestamp>.<body>`.
   * @param signature The signature's 32 bytes.
   * @returns Whether it matches.
   */
  async verify(
    signed: Uint8Array<ArrayBuffer>,
    signature: Uint8Array<ArrayBuffer>,
  ): Promise<boolean> {
    return await this.#mac.verify(signed, signature);
  }
}

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
 * import { parseSecrets } from "./_signature.ts";
 *
 * console.assert(parseSecrets(" a, b\nc ").join() === "a,b,c");
 * ```
 */
export function parseSecrets(value: string): string[] {
  return value.split(/[\s,]+/).filter((secret) => secret !== "");
}

/**
 * Signs a body the way UserHub does.
 *
 * @param secret The webhook's signing secret, or a key prepared from it.
 * @param timestamp Unix time in whole seconds, as sent in `UserHub-Timestamp`.
 * @param body The raw request body.
 * @returns The lowercase hex signature for `UserHub-Signature`.
 *
 * @example
 * ```ts
 * import { sign } from "./_signature.ts";
 *
 * const body = new TextEncoder().encode('{"challenge":"abc"}');
 * const signature = await sign("whsec_test", "1700000000", body);
 * console.assert(/^[0-9a-f]{64}$/.test(signature));
 * ```
 */
export async function sign(
  secret: string | SigningKey,
  timestamp: string | number,
  body: Uint8Array,
): Promise<string> {
  const key = typeof secret === "string" ? new SigningKey(secret) : secret;
  return await key.sign(String(timestamp), body);
}

/**
 * Checks UserHub signatures. The call is valid when any signature matches
 * the HMAC under any key (secret rotation on either side). Every signature is
 * compared in full and in constant time, so timing tells nothing about which
 * one matched, or how much of it. A signature that is not 64 hex digits
 * simply does not match; upper-case hex matches as lower-case does.
 *
 * @param keys The receiver's keys.
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
  const candidates = signatures.filter(isHexDigest).map((signature) =>
    Uint8Array.fromHex(signature)
  );
  // Hashing is skipped when no signature could match.
  if (candidates.length === 0) return false;
  const signed = joined(`${timestamp}.`, body);
  let matched = false;
  for (const key of keys) {
    for (const candidate of candidates) matched = (await key.verify(signed, candidate)) || matched;
  }
  return matched;
}

function isHexDigest(text: string): boolean {
  return text.length === 64 && /^[0-9a-fA-F]+$/.test(text);
}

/**
 * UserHub's request signature: lowercase hex HMAC-SHA256 of
 * `<timestamp>.<raw body>`, keyed with the UTF-8 bytes of the signing secret.
 *
 * Pure functions: bytes, keys and timestamps in, no environment, no logging.
 *
 * @module
 */

import { bytesToWords, hexMatches, HmacSha256, wordsToHex } from "./sha256.ts";

const encoder = new TextEncoder();
const DOT = 0x2e;
/**
 * Bodies up to this size are hashed in JavaScript, synchronously; larger ones
 * by WebCrypto, whose fixed cost per call (about 25 µs) is then smaller than
 * hashing in JavaScript, which WebCrypto does natively and off the main thread.
 */
export const SMALL_BODY_BYTES = 4 * 1024;

/**
 * A signing secret prepared once for HMAC-SHA256 (RFC 2104): the key's inner
 * and outer pads already hashed, so a call hashes only its own bytes. Large
 * bodies go to WebCrypto, under a key imported on first use.
 */
export class SigningKey {
  readonly #secret: Uint8Array<ArrayBuffer>;
  readonly #mac: HmacSha256;
  #cryptoKey: Promise<CryptoKey> | undefined;

  /**
   * @param secret The webhook's signing secret, as shown in the Admin console.
   * @throws {TypeError} When the secret is empty.
   */
  constructor(secret: string) {
    if (secret === "") throw new TypeError("Cannot import signing key: the secret is empty");
    this.#secret = encoder.encode(secret);
    this.#mac = new HmacSha256(this.#secret);
  }

  /**
   * Writes the HMAC-SHA256 of `<timestamp>.<body>` into `into`: at once for
   * a body of at most {@linkcode SMALL_BODY_BYTES} and an ASCII timestamp,
   * by WebCrypto (a promise) otherwise.
   * @param timestamp The timestamp text.
   * @param body The raw body.
   * @param into Receives eight words.
   * @returns Nothing, or a promise that resolves once `into` is written.
   */
  hmac(timestamp: string, body: Uint8Array, into: Int32Array): void | Promise<void> {
    if (byWebCrypto(timestamp, body)) {
      return this.#webCrypto(timestamp, body, into);
    }
    this.#mac.compute(`${timestamp}.`, body, into);
  }

  /**
   * The HMAC-SHA256 of `<timestamp>.<body>` as hex: synchronous for a small body.
   *
   * @param timestamp The timestamp text.
   * @param body The raw body.
   * @returns 64 lowercase hex digits, or a promise of them for a body over
   * {@linkcode SMALL_BODY_BYTES}.
   */
  hmacHex(timestamp: string, body: Uint8Array): string | Promise<string> {
    const words = new Int32Array(8);
    const done = this.hmac(timestamp, body, words);
    return done === undefined ? wordsToHex(words) : done.then(() => wordsToHex(words));
  }

  async #webCrypto(timestamp: string, body: Uint8Array, into: Int32Array): Promise<void> {
    this.#cryptoKey ??= crypto.subtle.importKey(
      "raw",
      this.#secret,
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign"],
    );
    const prefix = encoder.encode(timestamp);
    const message = new Uint8Array(prefix.length + 1 + body.length);
    message.set(prefix);
    message[prefix.length] = DOT;
    message.set(body, prefix.length + 1);
    const mac = await crypto.subtle.sign("HMAC", await this.#cryptoKey, message);
    bytesToWords(new Uint8Array(mac), into);
  }
}

/** Whether a call is hashed by WebCrypto: a large body, or a timestamp our hasher cannot take. */
function byWebCrypto(timestamp: string, body: Uint8Array): boolean {
  return body.length > SMALL_BODY_BYTES || !isAscii(timestamp);
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
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
  return Promise.resolve(new SigningKey(secret));
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
  return await matchSignature(keys, timestamp, body, signatures);
}

/** The eight words of one HMAC: reused, since a check runs to its end before the next starts. */
const WORDS = new Int32Array(8);

/**
 * {@linkcode verifySignature}, synchronous for a body of at most
 * {@linkcode SMALL_BODY_BYTES} and an ASCII timestamp.
 *
 * @param keys The receiver's keys.
 * @param timestamp The `UserHub-Timestamp` text, exactly as received.
 * @param body The raw request body.
 * @param signatures The received signatures, already split and trimmed.
 * @returns Whether one of them matches, or a promise of it for a large body.
 */
export function matchSignature(
  keys: readonly SigningKey[],
  timestamp: string,
  body: Uint8Array,
  signatures: readonly string[],
): boolean | Promise<boolean> {
  // Hashing is skipped when no signature could match.
  if (!signatures.some(isHexDigest)) return false;
  if (byWebCrypto(timestamp, body)) {
    return matchLater(keys, timestamp, body, signatures);
  }
  let matched = 0;
  for (const key of keys) {
    key.hmac(timestamp, body, WORDS);
    matched |= matchAny(WORDS, signatures);
  }
  return matched === 1;
}

/** {@linkcode matchSignature} by WebCrypto, with words of its own: other calls run meanwhile. */
async function matchLater(
  keys: readonly SigningKey[],
  timestamp: string,
  body: Uint8Array,
  signatures: readonly string[],
): Promise<boolean> {
  const words = new Int32Array(8);
  let matched = 0;
  for (const key of keys) {
    await key.hmac(timestamp, body, words);
    matched |= matchAny(words, signatures);
  }
  return matched === 1;
}

/** 1 when any signature is the digest. Every one is compared in full, so timing tells nothing about which. */
function matchAny(words: Int32Array, signatures: readonly string[]): number {
  let matched = 0;
  for (const signature of signatures) matched |= hexMatches(words, signature);
  return matched;
}

function isHexDigest(text: string): boolean {
  return text.length === 64 && /^[0-9a-fA-F]+$/.test(text);
}

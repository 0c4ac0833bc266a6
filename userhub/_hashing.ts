/**
 * HMAC-SHA256 and SHA-256 of `<prefix><body>`, from the platform's WebCrypto:
 * native hashing, off the main thread for large bodies, and a constant-time
 * comparison of signatures (`crypto.subtle.verify`).
 *
 * @module
 */

const encoder = new TextEncoder();

/** An HMAC-SHA256 key, imported once. */
export class HmacSha256 {
  readonly #key: Promise<CryptoKey>;

  /** @param key The key bytes. */
  constructor(key: Uint8Array<ArrayBuffer>) {
    this.#key = crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, [
      "sign",
      "verify",
    ]);
  }

  /**
   * The HMAC of a message.
   * @param message The bytes, e.g. from {@linkcode joined}.
   * @returns 64 lowercase hex digits.
   */
  async hex(message: Uint8Array<ArrayBuffer>): Promise<string> {
    return new Uint8Array(await crypto.subtle.sign("HMAC", await this.#key, message)).toHex();
  }

  /**
   * Whether a MAC is the HMAC of a message, compared in constant time.
   * @param message The bytes, e.g. from {@linkcode joined}.
   * @param mac The MAC to check, 32 bytes.
   * @returns Whether it matches.
   */
  async verify(message: Uint8Array<ArrayBuffer>, mac: Uint8Array<ArrayBuffer>): Promise<boolean> {
    return await crypto.subtle.verify("HMAC", await this.#key, mac, message);
  }
}

/**
 * The SHA-256 of a message.
 *
 * @param message The bytes, e.g. from {@linkcode joined}.
 * @returns 64 lowercase hex digits.
 *
 * @example
 * ```ts
 * import { joined, sha256Hex } from "./_hashing.ts";
 *
 * const digest = await sha256Hex(joined("", new TextEncoder().encode("abc")));
 * console.assert(digest.startsWith("ba7816bf"));
 * ```
 */
export async function sha256Hex(message: Uint8Array<ArrayBuffer>): Promise<string> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", message)).toHex();
}

/**
 * The bytes of `<prefix><body>`, as one buffer.
 *
 * @param prefix ASCII text before the body, such as `<timestamp>.`.
 * @param body The bytes.
 * @returns A new buffer.
 */
export function joined(prefix: string, body: Uint8Array): Uint8Array<ArrayBuffer> {
  const head = encoder.encode(prefix);
  const message = new Uint8Array(head.length + body.length);
  message.set(head);
  message.set(body, head.length);
  return message;
}

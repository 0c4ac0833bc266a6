/**
 * SHA-256 and HMAC-SHA256 of `<prefix><body>`, from audited parts only:
 * `@noble/hashes` for small bodies, WebCrypto for large ones.
 *
 * @module
 */

import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";

/**
 * Bodies up to this size are hashed by `@noble/hashes` on the main thread.
 * Larger ones go to WebCrypto, which hashes natively and off the main thread:
 * its fixed cost per call (about 30 µs) is then the smaller one.
 */
export const SMALL_BODY_BYTES = 8 * 1024;

const encoder = new TextEncoder();

/** An HMAC-SHA256 key: its pads are hashed once, so a call hashes only its own bytes. */
export class HmacSha256 {
  readonly #key: Uint8Array<ArrayBuffer>;
  readonly #prepared: ReturnType<typeof hmac.create>;
  #cryptoKey: Promise<CryptoKey> | undefined;

  /** @param key The key bytes. */
  constructor(key: Uint8Array<ArrayBuffer>) {
    this.#key = key;
    this.#prepared = hmac.create(sha256, key);
  }

  /**
   * The HMAC of `<prefix><body>`.
   * @param prefix ASCII text signed before the body.
   * @param body The bytes.
   * @returns 64 lowercase hex digits.
   */
  async hex(prefix: string, body: Uint8Array): Promise<string> {
    if (body.length <= SMALL_BODY_BYTES) {
      return bytesToHex(
        this.#prepared.clone().update(encoder.encode(prefix)).update(body).digest(),
      );
    }
    this.#cryptoKey ??= crypto.subtle.importKey(
      "raw",
      this.#key,
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign"],
    );
    const mac = await crypto.subtle.sign("HMAC", await this.#cryptoKey, join(prefix, body));
    return bytesToHex(new Uint8Array(mac));
  }
}

/**
 * The SHA-256 of `<prefix><body>`.
 *
 * @param prefix ASCII text hashed before the body.
 * @param body The bytes.
 * @returns 64 lowercase hex digits.
 *
 * @example
 * ```ts
 * import { sha256Hex } from "./_hashing.ts";
 *
 * const digest = await sha256Hex("", new TextEncoder().encode("abc"));
 * console.assert(digest.startsWith("ba7816bf"));
 * ```
 */
export async function sha256Hex(prefix: string, body: Uint8Array): Promise<string> {
  if (body.length <= SMALL_BODY_BYTES) {
    return bytesToHex(sha256.create().update(encoder.encode(prefix)).update(body).digest());
  }
  return bytesToHex(new Uint8Array(await crypto.subtle.digest("SHA-256", join(prefix, body))));
}

function join(prefix: string, body: Uint8Array): Uint8Array<ArrayBuffer> {
  const head = encoder.encode(prefix);
  const message = new Uint8Array(head.length + body.length);
  message.set(head);
  message.set(body, head.length);
  return message;
}

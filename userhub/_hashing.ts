/**
 * SHA-256 and HMAC-SHA256 of `<prefix><body>`, from the platform:
 * `node:crypto`, which Deno implements natively and runs synchronously, so a
 * small body costs no round trip through a promise queue and a large one is
 * hashed at native speed.
 *
 * @module
 */

import { createHash, createHmac } from "node:crypto";

/** An HMAC-SHA256 key. */
export class HmacSha256 {
  readonly #key: Uint8Array;

  /** @param key The key bytes. */
  constructor(key: Uint8Array) {
    this.#key = key;
  }

  /**
   * The HMAC of `<prefix><body>`.
   * @param prefix ASCII text signed before the body.
   * @param body The bytes.
   * @returns 64 lowercase hex digits.
   */
  hex(prefix: string, body: Uint8Array): string {
    return createHmac("sha256", this.#key).update(prefix).update(body).digest("hex");
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
 * console.assert(sha256Hex("", new TextEncoder().encode("abc")).startsWith("ba7816bf"));
 * ```
 */
export function sha256Hex(prefix: string, body: Uint8Array): string {
  return createHash("sha256").update(prefix).update(body).digest("hex");
}

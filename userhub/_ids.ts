/**
 * Random identifiers shaped like UserHub's: a short prefix, an underscore and
 * 22 base62 characters (`evt_2LLkDJKdGvDCRh3JFsZQ9j`).
 *
 * @module
 */

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const LENGTH = 22;
// 248 is the largest multiple of 62 below 256: bytes above it are skipped, so
// every character is equally likely.
const LIMIT = 248;

/**
 * Makes a fresh random identifier.
 *
 * @param prefix The kind of object, such as `evt`, `org` or `usr`; none when empty.
 * @returns The identifier, e.g. `org_5uT0qgJ6m1cV2yXkR9pWZa`.
 *
 * @example
 * ```ts
 * import { newId } from "./_ids.ts";
 *
 * console.assert(/^evt_[0-9A-Za-z]{22}$/.test(newId("evt")));
 * ```
 */
export function newId(prefix: string): string {
  let id = "";
  while (id.length < LENGTH) {
    for (const byte of crypto.getRandomValues(new Uint8Array(LENGTH * 2))) {
      if (byte < LIMIT && id.length < LENGTH) id += ALPHABET[byte % ALPHABET.length];
    }
  }
  return prefix === "" ? id : `${prefix}_${id}`;
}

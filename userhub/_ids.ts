/**
 * Identifiers shaped like UserHub's: a short prefix, an underscore and 22
 * base62 characters (`evt_2LLkDJKdGvDCRh3JFsZQ9j`); random, or the same on
 * every run from a seed.
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

/**
 * Makes an id maker that gives the same identifiers, in the same order, on
 * every run: for samples that tests and benchmarks compare or replay.
 *
 * @param seed Which sequence; the same seed, the same ids.
 * @returns A function like {@linkcode newId}.
 *
 * @example
 * ```ts
 * import { seededIds } from "./_ids.ts";
 *
 * console.assert(seededIds(1)("org") === seededIds(1)("org"));
 * ```
 */
export function seededIds(seed: number): (prefix: string) => string {
  let state = seed >>> 0;
  // mulberry32: a small, well-spread 32-bit generator; these ids need no secrecy.
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  return (prefix) => {
    let id = "";
    while (id.length < LENGTH) id += ALPHABET[next() % ALPHABET.length];
    return prefix === "" ? id : `${prefix}_${id}`;
  };
}

/**
 * A small in-process memory of facts that cannot change before they expire,
 * such as "event X was handled": it saves a store round trip for each repeat.
 *
 * @module
 */

/**
 * A map of keys to values that each hold until a time, keeping at most
 * `capacity` entries: adding one more drops the oldest added.
 *
 * @example
 * ```ts
 * import { BoundedCache } from "./bounded_cache.ts";
 *
 * const cache = new BoundedCache<string>(2);
 * cache.set("a", "x", 1000);
 * console.assert(cache.get("a", 999) === "x");
 * console.assert(cache.get("a", 1000) === undefined);
 * ```
 */
export class BoundedCache<V> {
  readonly #capacity: number;
  readonly #entries = new Map<string, { value: V; until: number }>();

  /** @param capacity The most entries kept. */
  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /**
   * The value of a key, if it holds at `now`.
   * @param key The key.
   * @param now The current time, in milliseconds.
   * @returns The value, or `undefined` when absent or expired.
   */
  get(key: string, now: number): V | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.until > now) return entry.value;
    this.#entries.delete(key);
    return undefined;
  }

  /**
   * Keeps a value until a time.
   * @param key The key.
   * @param value The value.
   * @param until When it stops holding, in milliseconds.
   */
  set(key: string, value: V, until: number): void {
    if (this.#capacity <= 0) return;
    this.#entries.delete(key);
    if (this.#entries.size >= this.#capacity) {
      this.#entries.delete(this.#entries.keys().next().value!);
    }
    this.#entries.set(key, { value, until });
  }

  /** How many entries are kept, expired ones included. */
  get size(): number {
    return this.#entries.size;
  }
}

/**
 * A small in-process memory of facts that cannot change before they expire,
 * such as "event X was handled": it saves a store round trip for each repeat.
 *
 * @module
 */

/**
 * A map of keys to values that each hold until a time, keeping at most
 * `capacity` entries. It keeps two generations: when the newer one is full,
 * the older one is dropped whole. That makes every operation O(1), where
 * evicting single oldest entries from a `Map` gets slower as deleted entries
 * pile up at its front.
 *
 * @example
 * ```ts
 * import { BoundedCache } from "./_bounded_cache.ts";
 *
 * const cache = new BoundedCache<string>(2);
 * cache.set("a", "x", 1000);
 * console.assert(cache.get("a", 999) === "x");
 * console.assert(cache.get("a", 1000) === undefined);
 * ```
 */
export class BoundedCache<V> {
  readonly #generation: number;
  #newer = new Map<string, Entry<V>>();
  #older = new Map<string, Entry<V>>();

  /** @param capacity The most entries kept; the oldest half goes when it is reached. */
  constructor(capacity: number) {
    this.#generation = Math.floor(capacity / 2);
  }

  /**
   * The value of a key, if it holds at `now`.
   * @param key The key.
   * @param now The current time, in milliseconds.
   * @returns The value, or `undefined` when absent or expired.
   */
  get(key: string, now: number): V | undefined {
    const entry = this.#newer.get(key) ?? this.#older.get(key);
    return entry !== undefined && entry.until > now ? entry.value : undefined;
  }

  /**
   * Keeps a value until a time.
   * @param key The key.
   * @param value The value.
   * @param until When it stops holding, in milliseconds.
   */
  set(key: string, value: V, until: number): void {
    if (this.#generation === 0) return;
    this.#older.delete(key);
    if (!this.#newer.has(key) && this.#newer.size >= this.#generation) {
      this.#older = this.#newer;
      this.#newer = new Map();
    }
    this.#newer.set(key, { value, until });
  }

  /** How many entries are kept, expired ones included. */
  get size(): number {
    return this.#newer.size + this.#older.size;
  }
}

interface Entry<V> {
  value: V;
  until: number;
}

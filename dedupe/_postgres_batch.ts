/**
 * Group commit for the PostgreSQL store: statements that arrive while every
 * connection is busy are sent together as one statement over arrays when a
 * connection frees up. One statement and one commit (one disk flush) then
 * serve many deliveries; a lone delivery is sent at once, as before.
 *
 * @module
 */

/** Options of {@linkcode StatementBatcher}. */
export interface BatcherOptions<Item> {
  /** How many statements may be in flight at once: the pool's connections. */
  flights: number;
  /** The most items per statement. */
  size: number;
  /** The keys an item writes: two items with a key in common never share a statement. */
  keys: (item: Item) => string[];
}

interface Pending<Item, Result> {
  item: Item;
  keys: string[];
  resolve: (result: Result) => void;
  reject: (error: unknown) => void;
}

/**
 * Runs items through `run`, a statement over many items at once: at most
 * `flights` statements in flight, and the items waiting meanwhile (the
 * oldest first, up to `size`, with no key twice) in the next. Each item
 * gets its own result, in the order `run` returns them; all of a
 * statement's items fail when it fails.
 *
 * @example
 * ```ts
 * import { StatementBatcher } from "./_postgres_batch.ts";
 *
 * const sizes: number[] = [];
 * const batcher = new StatementBatcher((ids: string[]) => {
 *   sizes.push(ids.length);
 *   return Promise.resolve(ids.map((id) => id.toUpperCase()));
 * }, { flights: 1, size: 100, keys: (id) => [id] });
 * const results = await Promise.all(["a", "b", "c", "a"].map((id) => batcher.run(id)));
 * console.assert(results.join() === "A,B,C,A" && sizes.join() === "1,3");
 * ```
 */
export class StatementBatcher<Item, Result> {
  readonly #run: (items: Item[]) => Promise<Result[]>;
  readonly #options: BatcherOptions<Item>;
  readonly #queue: Pending<Item, Result>[] = [];
  #flights = 0;

  /**
   * @param run Runs one statement for the items; one result per item, in order.
   * @param options Flights, batch size, keys.
   */
  constructor(run: (items: Item[]) => Promise<Result[]>, options: BatcherOptions<Item>) {
    this.#run = run;
    this.#options = options;
  }

  /**
   * Runs an item, alone if a connection is free, else with the others waiting.
   * @param item The item.
   * @returns Its result.
   */
  run(item: Item): Promise<Result> {
    const { promise, resolve, reject } = Promise.withResolvers<Result>();
    this.#queue.push({ item, keys: this.#options.keys(item), resolve, reject });
    this.#send();
    return promise;
  }

  /** Sends what waits while connections are free. */
  #send(): void {
    while (this.#flights < this.#options.flights && this.#queue.length > 0) {
      const batch = this.#take();
      this.#flights++;
      this.#run(batch.map((pending) => pending.item)).then(
        (results) => batch.forEach((pending, i) => pending.resolve(results[i]!)),
        (error) => batch.forEach((pending) => pending.reject(error)),
      ).finally(() => {
        this.#flights--;
        this.#send();
      });
    }
  }

  /** The oldest waiting items, up to the size, no key twice. */
  #take(): Pending<Item, Result>[] {
    const batch: Pending<Item, Result>[] = [];
    const keys = new Set<string>();
    for (let i = 0; i < this.#queue.length && batch.length < this.#options.size;) {
      const pending = this.#queue[i]!;
      if (pending.keys.some((key) => keys.has(key))) {
        i++;
        continue;
      }
      for (const key of pending.keys) keys.add(key);
      batch.push(pending);
      this.#queue.splice(i, 1);
    }
    return batch;
  }
}

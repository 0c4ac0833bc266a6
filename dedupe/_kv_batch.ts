/**
 * Group commit for Deno KV: conditional writes that arrive while a commit is
 * under way are committed together in the next one. A commit costs about as
 * much for one write as for sixteen, so under load each write costs a
 * fraction of a round trip; a lone write is committed at once, as before.
 *
 * @module
 */

/** One write to a key, as {@linkcode Deno.AtomicOperation.set} takes it. */
export interface KvSet {
  key: Deno.KvKey;
  value: unknown;
  /** Milliseconds after which the store may delete it. */
  expireIn?: number;
}

/** A conditional write: its sets happen only if all its checks pass, and alone among the batch. */
export interface KvWrite {
  checks: Deno.AtomicCheck[];
  sets: KvSet[];
}

/**
 * Limits of one atomic operation. Deno KV allows 100 checks, 1,000
 * mutations, 80 KiB of keys and 800 KiB of mutations in all; the values are
 * not measured, so writes are expected to carry small values (a batch over a
 * limit the store enforces fails, and is committed again in halves).
 */
export interface KvBatchLimits {
  /** Checks per commit; 100 by default. */
  checks?: number;
  /** Sets per commit; 1,000 by default. */
  sets?: number;
  /** Bytes of keys per commit, counted with some margin; 64 KiB by default. */
  keyBytes?: number;
}

interface Pending {
  write: KvWrite;
  keys: string[];
  keyBytes: number;
  resolve: (ok: boolean) => void;
  reject: (error: unknown) => void;
}

const LOCKED_ATTEMPTS = 10;
const encoder = new TextEncoder();

/**
 * Commits {@linkcode KvWrite}s in batches: each resolves `true` once its sets
 * are stored, `false` when one of its own checks failed (then none of its
 * sets happened), and rejects when the store fails. A batch whose checks do
 * not all pass is committed again in halves, or write by write when many
 * fail, so one write's failed check never fails another. Two writes to the same key never
 * share a batch.
 *
 * @example
 * ```ts
 * import { KvWriteBatcher } from "./_kv_batch.ts";
 *
 * const kv = await Deno.openKv(":memory:");
 * const batcher = new KvWriteBatcher(kv);
 * const claims = await Promise.all(["a", "b", "a"].map((id) =>
 *   batcher.write({
 *     checks: [{ key: ["event", id], versionstamp: null }],
 *     sets: [{ key: ["event", id], value: "claimed" }],
 *   })
 * ));
 * console.assert(claims.join() === "true,true,false");
 * kv.close();
 * ```
 */
export class KvWriteBatcher {
  readonly #kv: Deno.Kv;
  readonly #maxChecks: number;
  readonly #maxSets: number;
  readonly #maxKeyBytes: number;
  readonly #queue: Pending[] = [];
  #draining = false;

  /**
   * @param kv The store.
   * @param limits Per-commit limits, for stores stricter than Deno KV's.
   */
  constructor(kv: Deno.Kv, limits: KvBatchLimits = {}) {
    this.#kv = kv;
    this.#maxChecks = limits.checks ?? 100;
    this.#maxSets = limits.sets ?? 1000;
    this.#maxKeyBytes = limits.keyBytes ?? 64 * 1024;
  }

  /**
   * Commits a write with the others waiting now.
   * @param write Its checks and sets.
   * @returns Whether its checks passed and its sets were stored.
   * @throws {RangeError} When the write alone is over the limits.
   */
  write(write: KvWrite): Promise<boolean> {
    const keys = [...write.checks.map((check) => check.key), ...write.sets.map((set) => set.key)]
      .map(keyText);
    const keyBytes = keys.reduce((sum, key) => sum + encoder.encode(key).length, 0);
    if (
      write.checks.length > this.#maxChecks || write.sets.length > this.#maxSets ||
      keyBytes > this.#maxKeyBytes
    ) {
      return Promise.reject(new RangeError("Cannot batch a KV write over the per-commit limits"));
    }
    const { promise, resolve, reject } = Promise.withResolvers<boolean>();
    this.#queue.push({ write, keys, keyBytes, resolve, reject });
    if (!this.#draining) void this.#drain();
    return promise;
  }

  async #drain(): Promise<void> {
    this.#draining = true;
    try {
      while (this.#queue.length > 0) await this.#commitBatch(this.#takeBatch());
    } finally {
      this.#draining = false;
    }
  }

  /** The oldest writes that fit the limits together and touch distinct keys. */
  #takeBatch(): Pending[] {
    const batch: Pending[] = [];
    const keys = new Set<string>();
    let checks = 0;
    let sets = 0;
    let keyBytes = 0;
    for (let i = 0; i < this.#queue.length;) {
      const pending = this.#queue[i]!;
      const fits = checks + pending.write.checks.length <= this.#maxChecks &&
        sets + pending.write.sets.length <= this.#maxSets &&
        keyBytes + pending.keyBytes <= this.#maxKeyBytes;
      if (!fits) break;
      if (pending.keys.some((key) => keys.has(key))) {
        i++;
        continue;
      }
      for (const key of pending.keys) keys.add(key);
      checks += pending.write.checks.length;
      sets += pending.write.sets.length;
      keyBytes += pending.keyBytes;
      batch.push(pending);
      this.#queue.splice(i, 1);
    }
    return batch;
  }

  /** Commits a batch whole, or finds out which of its writes fail. */
  async #commitBatch(batch: Pending[]): Promise<void> {
    if (batch.length > 1 && await this.#commitWhole(batch)) return;
    await this.#settle(batch);
  }

  /**
   * Answers each write of a batch that failed whole. Halves that commit are
   * done; a half that fails is split again, so one bad write among n costs
   * about 2·log2(n) commits. When both halves fail, many writes probably do
   * (a burst of redeliveries, or the store is down), and each is committed
   * alone: about n commits, as if there had been no batch.
   */
  async #settle(batch: Pending[]): Promise<void> {
    if (batch.length > 2) {
      const middle = Math.ceil(batch.length / 2);
      const halves = [batch.slice(0, middle), batch.slice(middle)];
      const committed = [await this.#commitWhole(halves[0]!), await this.#commitWhole(halves[1]!)];
      if (committed[0] || committed[1]) {
        for (let i = 0; i < 2; i++) if (!committed[i]) await this.#settle(halves[i]!);
        return;
      }
    }
    for (const pending of batch) {
      try {
        pending.resolve(await this.#commit([pending.write]));
      } catch (error) {
        pending.reject(error);
      }
    }
  }

  /** Commits the writes together; resolves each with `true` when that works. */
  async #commitWhole(batch: Pending[]): Promise<boolean> {
    try {
      if (!await this.#commit(batch.map((pending) => pending.write))) return false;
    } catch {
      return false;
    }
    for (const pending of batch) pending.resolve(true);
    return true;
  }

  async #commit(writes: KvWrite[]): Promise<boolean> {
    return await unlocked(async () => {
      const operation = this.#kv.atomic();
      for (const write of writes) {
        operation.check(...write.checks);
        for (const { key, value, expireIn } of write.sets) {
          operation.set(key, value, expireIn === undefined ? undefined : { expireIn });
        }
      }
      return (await operation.commit()).ok;
    });
  }
}

/** A key as text, to tell whether two writes touch the same key. */
function keyText(key: Deno.KvKey): string {
  return JSON.stringify(
    key,
    (_, part) =>
      typeof part === "bigint" ? `${part}n` : part instanceof Uint8Array ? Array.from(part) : part,
  );
}

/**
 * Retries an operation that SQLite refused because another connection to the
 * same file held the lock (several servers sharing one `KV_PATH`). Nothing was
 * written then, so trying again is safe; other errors are thrown at once.
 *
 * @param operation The store operation.
 * @returns What it returned.
 */
export async function unlocked<T>(operation: () => Promise<T>): Promise<T> {
  for (let attempt = 1;; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (attempt >= LOCKED_ATTEMPTS || !/database is (locked|busy)/i.test(String(error))) {
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, attempt * 5 + Math.random() * 10));
    }
  }
}

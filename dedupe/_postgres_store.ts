/**
 * {@linkcode PostgresDeliveryGuard}: the record of handled events and
 * accepted signed requests in PostgreSQL, the store that teams running the
 * receiver on their own machines already share. Same contract and semantics
 * as the Deno KV store; the tables are in `schema.sql`.
 *
 * @module
 */

import type postgres from "postgres";
import { BoundedCache } from "./_bounded_cache.ts";
import { holdWhileRunning, LEASE_MS, MAX_ATTEMPTS, MEMORY, RETENTION_MS } from "./_hold.ts";
import { StatementBatcher } from "./_postgres_batch.ts";
import type { ClaimResult, DeliveryGuard, SignedRequest } from "../userhub/mod.ts";
import {
  type ClaimItem,
  type ClaimRow,
  claimStatement,
  completeStatement,
  deleteExpired,
  releaseStatement,
  rememberStatement,
  renewStatement,
} from "./_postgres_sql.ts";

/** A pool of connections of the `postgres` client from npm. */
export type Sql = postgres.Sql;

/** The least time between two removals of expired rows by one guard: 60 s. */
export const CLEANUP_INTERVAL_MS = 60_000;

const DEFAULT_TIMEOUT_MS = 10_000;
/** The most claims, or done marks, in one statement. */
const BATCH_SIZE = 100;
/** PostgreSQL's codes for a statement it aborted to break a deadlock or a serialization failure. */
const RETRYABLE = new Set(["40P01", "40001"]);

/** Options of {@linkcode PostgresDeliveryGuard}. */
export interface PostgresDeliveryGuardOptions {
  /** How long a claim holds, in milliseconds; {@linkcode LEASE_MS} by default. */
  lease?: number;
  /** The clock, in milliseconds; `Date.now` by default. Every time stored comes from it. */
  now?: () => number;
  /**
   * How many handled event ids and signed requests this process also keeps
   * in memory, 10,000 of each by default; 0 for none. Both are final until
   * they expire, so a repeat is answered without a round trip.
   */
  memory?: number;
  /** How long one statement may take before the call fails (503), in milliseconds; 10 s by default. */
  timeout?: number;
  /**
   * How many claims (and done marks) may be in flight at once, 4 by default:
   * the pool's connections. Those that arrive meanwhile wait, and go
   * together in one statement.
   */
  flights?: number;
  /** Run by {@linkcode PostgresDeliveryGuard.close} once the guard is idle, e.g. ending the pool. */
  onClose?: () => Promise<void>;
}

/**
 * A {@linkcode DeliveryGuard} over PostgreSQL. A new event costs one
 * statement, one round trip: it records the signed request and claims the
 * event together, atomically (`UPDATE` of an expired row, `INSERT … ON
 * CONFLICT DO NOTHING` of a missing one). Claims and done marks that arrive
 * while every connection is busy go together in the next statement. Every time it
 * stores comes from its clock, passed as a parameter, and a row past its
 * `expires_at` counts as absent: it is taken over by the next claim, and
 * removed later in small batches.
 *
 * @example Claim, then complete
 * ```ts ignore
 * import { openPostgresGuard } from "./postgres.ts";
 *
 * const guard = await openPostgresGuard("postgres://app:pw@127.0.0.1:5432/hooks");
 * const signed = { digest: "9f86d08…", action: "events.handle", ttl: 600_000 };
 * const first = await guard.claim("evt_1", signed);
 * console.assert(first.status === "claimed");
 * await guard.complete("evt_1");
 * console.assert((await guard.claim("evt_1", signed)).status === "done");
 * await guard.close();
 * ```
 */
export class PostgresDeliveryGuard implements DeliveryGuard {
  readonly #sql: Sql;
  readonly #lease: number;
  readonly #now: () => number;
  readonly #timeout: number;
  readonly #onClose: (() => Promise<void>) | undefined;
  /** Event id → "done", until its retention ends. */
  readonly #done: BoundedCache<true>;
  /** Signed digest → the action it was accepted under, until its window ends. */
  readonly #signed: BoundedCache<string>;
  readonly #claims: StatementBatcher<ClaimItem, ClaimRow>;
  readonly #completes: StatementBatcher<{ eventId: string; until: Date }, undefined>;
  #nextCleanup: number;
  #cleanup: Promise<void> | undefined;

  /**
   * Keeps the records in the tables of `schema.sql`, which must exist
   * ({@linkcode openPostgresGuard} creates them).
   * @param sql A pool of the `postgres` client.
   * @param options Lease, clock, memory, timeout.
   */
  constructor(sql: Sql, options: PostgresDeliveryGuardOptions = {}) {
    this.#sql = sql;
    this.#lease = options.lease ?? LEASE_MS;
    this.#now = options.now ?? Date.now;
    this.#timeout = options.timeout ?? DEFAULT_TIMEOUT_MS;
    this.#onClose = options.onClose;
    this.#done = new BoundedCache(options.memory ?? MEMORY);
    this.#signed = new BoundedCache(options.memory ?? MEMORY);
    this.#nextCleanup = this.#now() + CLEANUP_INTERVAL_MS;
    const flights = options.flights ?? 4;
    this.#claims = new StatementBatcher((items) => {
      const now = this.#now();
      return claimStatement(sql, items, new Date(now), new Date(now + this.#lease));
    }, { flights, size: BATCH_SIZE, keys: (item) => [`e${item.eventId}`, `d${item.digest}`] });
    this.#completes = new StatementBatcher(async (items) => {
      await completeStatement(sql, items);
      return items.map(() => undefined);
    }, { flights, size: BATCH_SIZE, keys: (item) => [item.eventId] });
  }

  /**
   * Claims an event and remembers its signed request, in one statement
   * (see `_postgres_sql.ts`). A repeat this process knows the answer to
   * costs nothing: bytes it saw under another action, or an event done.
   * @param eventId The event's `id`.
   * @param signed The signed request of this delivery.
   * @returns Claimed with a token, done, busy with the seconds left, or replayed.
   */
  async claim(eventId: string, signed: SignedRequest): Promise<ClaimResult> {
    const now = this.#now();
    this.#cleanUpNow(now);
    const known = this.#signed.get(signed.digest, now);
    if (known !== undefined && known !== signed.action) {
      return { status: "replayed", action: known };
    }
    if (known !== undefined && this.#done.get(eventId, now)) return { status: "done" };
    const token = crypto.randomUUID();
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const now = this.#now();
      const { digest, action } = signed;
      const item = { eventId, token, digest, action, signedUntil: new Date(now + signed.ttl) };
      let row: ClaimRow;
      try {
        row = await this.#run(this.#claims.run(item));
      } catch (error) {
        if (retryable(error) && attempt + 1 < MAX_ATTEMPTS) continue;
        throw error;
      }
      // Each part is unknown only when a delivery running at the same time
      // wrote the row after this statement began: then it is tried again.
      if (row.signed_action === null || row.signed_until === null) continue;
      this.#signed.set(digest, row.signed_action, row.signed_until.getTime());
      if (row.signed_action !== action) return { status: "replayed", action: row.signed_action };
      if (row.claimed) return { status: "claimed", token };
      if (row.event_until === null) continue;
      if (row.state === "done") {
        this.#done.set(eventId, true, row.event_until.getTime());
        return { status: "done" };
      }
      const left = row.event_until.getTime() - this.#now();
      return { status: "busy", retryAfter: Math.max(1, Math.ceil(left / 1000)) };
    }
    throw new Error(`Cannot claim event ${JSON.stringify(eventId)}: the record keeps changing`);
  }

  /**
   * Marks an event handled for 7 days, whoever holds it now.
   * @param eventId The event's `id`.
   */
  async complete(eventId: string): Promise<void> {
    const until = this.#now() + RETENTION_MS;
    await this.#run(this.#completes.run({ eventId, until: new Date(until) }));
    this.#done.set(eventId, true, until);
  }

  /**
   * Deletes the claim if it is still this token's.
   * @param eventId The event's `id`.
   * @param token The token from {@linkcode claim}.
   */
  async release(eventId: string, token: string): Promise<void> {
    await this.#run(releaseStatement(this.#sql, eventId, token));
  }

  /**
   * Renews a claim every third of a lease while its handler runs, so that
   * one failed renewal still leaves another before the claim expires. A
   * renewal extends the claim only while it is still this token's;
   * otherwise renewing stops, as it does after 10 minutes.
   * @param eventId The event's `id`.
   * @param token The token from {@linkcode claim}.
   * @returns Stops renewing; resolves once no renewal is under way.
   */
  holdClaim(eventId: string, token: string): () => Promise<void> {
    return holdWhileRunning(this.#lease, this.#now, async () => {
      const lease = new Date(this.#now() + this.#lease);
      return (await this.#run(renewStatement(this.#sql, eventId, token, lease))).length > 0;
    });
  }

  /**
   * Remembers a signed request, atomically: only one caller gets `undefined`.
   * @param signed The request, and the action it is accepted under now.
   * @returns `undefined` the first time; later, the action it was first accepted under.
   */
  async rememberSigned(signed: SignedRequest): Promise<string | undefined> {
    const { digest, action, ttl } = signed;
    const known = this.#signed.get(digest, this.#now());
    if (known !== undefined) return known;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const now = this.#now();
      const [row] = await this.#run(
        rememberStatement(this.#sql, digest, action, new Date(now), new Date(now + ttl)),
      );
      if (row === undefined) continue; // Written by another caller after this statement began.
      this.#signed.set(digest, row.action, row.expires_at.getTime());
      return row.inserted ? undefined : row.action;
    }
    throw new Error("Cannot remember signed request: the record keeps changing");
  }

  /**
   * Deletes expired rows, a batch at a time, each batch its own short
   * statement that skips rows another transaction holds.
   * @param batch Rows per statement; 1,000 by default.
   * @param batches The most statements per table; 10 by default.
   * @returns How many rows were deleted.
   */
  async deleteExpired(batch = 1000, batches = 10): Promise<number> {
    let deleted = 0;
    for (const table of ["events", "signed"] as const) {
      for (let i = 0; i < batches; i++) {
        const now = new Date(this.#now());
        const result = await this.#run(deleteExpired(this.#sql, table, now, batch));
        deleted += result.count;
        if (result.count < batch) break;
      }
    }
    return deleted;
  }

  /** Waits for a removal of expired rows under way, then runs `onClose` (e.g. ends the pool). */
  async close(): Promise<void> {
    this.#nextCleanup = Infinity;
    await this.#cleanup;
    await this.#onClose?.();
  }

  /** Starts a removal of expired rows in the background, once a minute at most. */
  #cleanUpNow(now: number): void {
    if (now < this.#nextCleanup || this.#cleanup !== undefined) return;
    this.#nextCleanup = now + CLEANUP_INTERVAL_MS;
    this.#cleanup = this.deleteExpired().then(
      () => {},
      () => {}, // Tried again a minute later; expired rows count as absent meanwhile.
    ).finally(() => this.#cleanup = undefined);
  }

  /** Runs a statement, failing after the timeout (the statement may still finish). */
  async #run<T>(query: Promise<T>): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`PostgreSQL did not answer within ${this.#timeout} ms`)),
        this.#timeout,
      );
    });
    query.catch(() => {}); // A statement that fails after the timeout is no unhandled rejection.
    try {
      return await Promise.race([query, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Whether PostgreSQL aborted the statement only to break a deadlock or a conflict: try again. */
function retryable(error: unknown): boolean {
  return RETRYABLE.has((error as { code?: string } | null)?.code ?? "");
}

/**
 * {@linkcode KvDeliveryGuard}: the record of handled events and accepted
 * signed requests in Deno KV, which several server instances can share.
 *
 * @module
 */

import { BoundedCache } from "./_bounded_cache.ts";
import { holdWhileRunning, LEASE_MS, MAX_ATTEMPTS, MEMORY, RETENTION_MS } from "./_hold.ts";
import type { ClaimResult, DeliveryGuard, SignedRequest } from "../userhub/mod.ts";
import { KvWriteBatcher, unlocked } from "./_kv_batch.ts";

/** Options of {@linkcode KvDeliveryGuard}. */
export interface KvDeliveryGuardOptions {
  /** How long a claim holds, in milliseconds; 60 s by default. A holder that crashed frees it then. */
  lease?: number;
  /** The clock, in milliseconds; `Date.now` by default. */
  now?: () => number;
  /**
   * How many handled event ids and signed requests this process also keeps
   * in memory, 10,000 of each by default (about 2 MB); 0 for none. Both are
   * final until they expire, so a repeat is answered without a store round
   * trip, even with several servers sharing the store.
   */
  memory?: number;
}

/** The first part of every key. */
const PREFIX = "userhub";

type EventRecord =
  | { state: "processing"; token: string; until: number }
  | { state: "done"; until: number };

interface SignedRecord {
  action: string;
  until: number;
}

/**
 * A {@linkcode DeliveryGuard} over Deno KV. Each record also stores its own
 * expiry time, and a record past it counts as absent: KV's `expireIn` deletes
 * late, so it only keeps the store small. Taking over an expired record checks
 * its versionstamp, so only one delivery wins.
 *
 * Keys: `["userhub", "event", id]` holds `{state, until}` (and a random token
 * while processing); `["userhub", "signed", digest]` holds `{action, until}`.
 * No body, signature or secret is stored.
 *
 * @example Claim, then complete
 * ```ts
 * import { KvDeliveryGuard } from "./_kv_store.ts";
 *
 * const kv = await Deno.openKv(":memory:");
 * const guard = new KvDeliveryGuard(kv);
 * const signed = { digest: "9f86d08…", action: "events.handle", ttl: 600_000 };
 * const first = await guard.claim("evt_1", signed);
 * console.assert(first.status === "claimed");
 * await guard.complete("evt_1");
 * console.assert((await guard.claim("evt_1", signed)).status === "done");
 * kv.close();
 * ```
 */
export class KvDeliveryGuard implements DeliveryGuard {
  readonly #kv: Deno.Kv;
  readonly #writes: KvWriteBatcher;
  readonly #lease: number;
  readonly #now: () => number;
  /** Event id → "done", until its retention ends. */
  readonly #done: BoundedCache<true>;
  /** Signed digest → the action it was accepted under, until its window ends. */
  readonly #signed: BoundedCache<string>;

  /**
   * Keeps the records in a KV store.
   * @param kv An open Deno KV store, e.g. from `Deno.openKv()`.
   * @param options Lease, clock and memory.
   */
  constructor(kv: Deno.Kv, options: KvDeliveryGuardOptions = {}) {
    this.#kv = kv;
    this.#writes = new KvWriteBatcher(kv);
    this.#lease = options.lease ?? LEASE_MS;
    this.#now = options.now ?? Date.now;
    this.#done = new BoundedCache(options.memory ?? MEMORY);
    this.#signed = new BoundedCache(options.memory ?? MEMORY);
  }

  /** Where an event's record lives. */
  #eventKey(eventId: string): Deno.KvKey {
    return [PREFIX, "event", eventId];
  }

  /** Where a signed request's record lives. */
  #signedKey(digest: string): Deno.KvKey {
    return [PREFIX, "signed", digest];
  }

  /**
   * Claims an event and remembers its signed request. A new event and a new
   * request take one atomic write, committed together with the other writes
   * waiting at the time. Otherwise the request is remembered first (a replay
   * under another action stops there), then the event's record is read: done,
   * busy, or absent or expired, which it takes over.
   * @param eventId The event's `id`.
   * @param signed The signed request of this delivery.
   * @returns Claimed with a token, done, busy with the seconds left, or replayed.
   */
  async claim(eventId: string, signed: SignedRequest): Promise<ClaimResult> {
    const token = await this.#claimUnseen(eventId, signed);
    if (token !== undefined) return { status: "claimed", token };
    const earlier = await this.rememberSigned(signed);
    if (earlier !== undefined && earlier !== signed.action) {
      return { status: "replayed", action: earlier };
    }
    return await this.#claimSeen(eventId);
  }

  /**
   * Claims a never-seen event and remembers its signed request with one
   * atomic write that checks that neither key exists. Any record at all,
   * even an expired one not deleted yet, leaves the decision to the long way.
   * @returns The claim's token, or `undefined` when a record exists.
   */
  async #claimUnseen(eventId: string, signed: SignedRequest): Promise<string | undefined> {
    const now = this.#now();
    if (this.#done.get(eventId, now) || this.#signed.get(signed.digest, now) !== undefined) {
      return undefined;
    }
    const eventKey = this.#eventKey(eventId);
    const signedKey = this.#signedKey(signed.digest);
    const token = crypto.randomUUID();
    const claim: EventRecord = { state: "processing", token, until: now + this.#lease };
    const record: SignedRecord = { action: signed.action, until: now + signed.ttl };
    const written = await this.#writes.write({
      checks: [{ key: eventKey, versionstamp: null }, { key: signedKey, versionstamp: null }],
      sets: [
        { key: eventKey, value: claim, expireIn: this.#lease },
        { key: signedKey, value: record, expireIn: signed.ttl },
      ],
    });
    if (!written) return undefined;
    this.#signed.set(signed.digest, signed.action, record.until);
    return token;
  }

  /** Claims an event seen before: absent (or expired) becomes `processing` for the lease. */
  async #claimSeen(eventId: string): Promise<ClaimResult> {
    if (this.#done.get(eventId, this.#now())) return { status: "done" };
    const key = this.#eventKey(eventId);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const entry = await unlocked(() => this.#kv.get<EventRecord>(key));
      const now = this.#now();
      const record = live(entry.value, now);
      if (record?.state === "done") {
        this.#done.set(eventId, true, record.until);
        return { status: "done" };
      }
      if (record?.state === "processing") {
        return { status: "busy", retryAfter: Math.max(1, Math.ceil((record.until - now) / 1000)) };
      }
      const token = crypto.randomUUID();
      const value: EventRecord = { state: "processing", token, until: now + this.#lease };
      const result = await unlocked(() =>
        this.#kv.atomic().check(entry).set(key, value, { expireIn: this.#lease }).commit()
      );
      if (result.ok) return { status: "claimed", token };
      // Another delivery wrote the record between the read and the commit: read it again.
    }
    throw new Error(`Cannot claim event ${JSON.stringify(eventId)}: the record keeps changing`);
  }

  /**
   * Marks an event handled for the retention period, whoever holds it now
   * (committed together with the other writes waiting at the time).
   * @param eventId The event's `id`.
   */
  async complete(eventId: string): Promise<void> {
    const value: EventRecord = { state: "done", until: this.#now() + RETENTION_MS };
    const key = this.#eventKey(eventId);
    await this.#writes.write({ checks: [], sets: [{ key, value, expireIn: RETENTION_MS }] });
    this.#done.set(eventId, true, value.until);
  }

  /**
   * Deletes the claim if it is still this token's.
   * @param eventId The event's `id`.
   * @param token The token from {@linkcode claim}.
   */
  async release(eventId: string, token: string): Promise<void> {
    const key = this.#eventKey(eventId);
    const entry = await unlocked(() => this.#kv.get<EventRecord>(key));
    const record = entry.value;
    if (record?.state !== "processing" || record.token !== token) return;
    // Fails harmlessly when another delivery took the record over in between.
    await unlocked(() => this.#kv.atomic().check(entry).delete(key).commit());
  }

  /**
   * Renews a claim every third of a lease while its handler runs, so that
   * one failed renewal (the store briefly down) still leaves another before
   * the claim expires. A renewal extends the claim only while it is still
   * this token's and nobody took it over; otherwise renewing stops, as it
   * does after the hold limit.
   * @param eventId The event's `id`.
   * @param token The token from {@linkcode claim}.
   * @returns Stops renewing; resolves once no renewal is under way.
   */
  holdClaim(eventId: string, token: string): () => Promise<void> {
    return holdWhileRunning(this.#lease, this.#now, () => this.#renew(eventId, token));
  }

  /** Extends a claim by a lease from now if it is still this token's; whether it was. */
  async #renew(eventId: string, token: string): Promise<boolean> {
    const key = this.#eventKey(eventId);
    const entry = await unlocked(() => this.#kv.get<EventRecord>(key));
    // Even past its time: the check below proves nobody has taken it over since.
    const record = entry.value;
    if (record?.state !== "processing" || record.token !== token) return false;
    const value: EventRecord = { state: "processing", token, until: this.#now() + this.#lease };
    const result = await unlocked(() =>
      this.#kv.atomic().check(entry).set(key, value, { expireIn: this.#lease }).commit()
    );
    return result.ok;
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
    const key = this.#signedKey(digest);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const entry = await unlocked(() => this.#kv.get<SignedRecord>(key));
      const now = this.#now();
      const record = live(entry.value, now);
      if (record !== undefined) {
        this.#signed.set(digest, record.action, record.until);
        return record.action;
      }
      const value: SignedRecord = { action, until: now + ttl };
      const result = await unlocked(() =>
        this.#kv.atomic().check(entry).set(key, value, { expireIn: ttl }).commit()
      );
      if (result.ok) {
        this.#signed.set(digest, action, value.until);
        return undefined;
      }
    }
    throw new Error("Cannot remember signed request: the record keeps changing");
  }
}

function live<T extends { until: number }>(value: T | null, now: number): T | undefined {
  if (value === null || typeof value !== "object" || !(value.until > now)) return undefined;
  return value;
}

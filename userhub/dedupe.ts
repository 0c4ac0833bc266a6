/**
 * Effectively-once handling: the record of which events were handled and
 * which signed requests were accepted, so that a redelivery or a replay never
 * runs a handler twice. {@linkcode KvDeliveryGuard} keeps it in Deno KV, which
 * several server instances can share.
 *
 * @module
 */

import { BoundedCache } from "./bounded_cache.ts";
import { type KvWrite, KvWriteBatcher, unlocked } from "./kv_batch.ts";
import { bytesToWords, Sha256, wordsToHex } from "./sha256.ts";
import { SMALL_BODY_BYTES } from "./signature.ts";

/** What {@linkcode DeliveryGuard.claim} found for an event id. */
export type ClaimResult =
  /** This delivery holds the event now; pass the token to `release`. */
  | { status: "claimed"; token: string }
  /** The event was handled already: acknowledge it, do not run the handler. */
  | { status: "done" }
  /** Another delivery holds the event; `retryAfter` is the lease left, in whole seconds. */
  | { status: "busy"; retryAfter: number };

/**
 * Where a receiver remembers what it handled. Every method is atomic across
 * all receivers sharing the store, and throws when the store fails (the
 * receiver then answers 503 and runs nothing).
 */
export interface DeliveryGuard {
  /**
   * Claims an event id before its handler runs.
   * @param eventId The event's `id`.
   * @returns Claimed (run the handler), done or busy.
   */
  claim(eventId: string): Promise<ClaimResult>;
  /**
   * Records that the event was handled, for the retention period.
   * @param eventId The event's `id`.
   */
  complete(eventId: string): Promise<void>;
  /**
   * Drops a claim after the handler failed, so the next delivery runs it. A
   * claim taken over by another delivery since is left alone.
   * @param eventId The event's `id`.
   * @param token The token `claim` returned.
   */
  release(eventId: string, token: string): Promise<void>;
  /**
   * Remembers a signed request for `ttl` milliseconds, unless it already is.
   * @param digest Identifies the signed bytes (see {@linkcode signedDigest}).
   * @param action The action it is accepted under now.
   * @param ttl How long to remember it, in milliseconds.
   * @returns `undefined` the first time; later, the action it was first accepted under.
   */
  rememberSigned(digest: string, action: string, ttl: number): Promise<string | undefined>;
  /**
   * Optional fast path for a new event: claims it, and remembers its signed
   * request if one is given, in one atomic step, when neither was ever
   * recorded. Otherwise it changes nothing, and the caller goes the long way:
   * `rememberSigned`, then `claim`.
   * @param eventId The event's `id`.
   * @param signed The signed request to remember with it, if any.
   * @returns The claim's token (as `claim` gives), or `undefined` when either was recorded.
   */
  claimUnseen?(eventId: string, signed?: SignedRequest): Promise<string | undefined>;
  /**
   * Optional: keeps a claim alive while its handler runs longer than a lease,
   * renewing it before it expires, until the returned function is called.
   * Without it a handler that outlives the lease may be run again by a
   * redelivery.
   * @param eventId The event's `id`.
   * @param token The token `claim` returned.
   * @returns Stops renewing; resolves once no renewal is under way.
   */
  holdClaim?(eventId: string, token: string): () => Promise<void>;
  /**
   * Optional, synchronous: whether this process already knows the event was
   * handled, so a repeat is answered without a store round trip. `false`
   * means "ask the store", not "not handled".
   * @param eventId The event's `id`.
   * @returns `true` only when the event is known to be done.
   */
  isKnownDone?(eventId: string): boolean;
}

/** A signed request to remember, as {@linkcode DeliveryGuard.rememberSigned} takes it. */
export interface SignedRequest {
  /** Identifies the signed bytes (see {@linkcode signedDigest}). */
  digest: string;
  /** The action it is accepted under now. */
  action: string;
  /** How long to remember it, in milliseconds. */
  ttl: number;
}

/** Options of {@linkcode KvDeliveryGuard}. */
export interface KvDeliveryGuardOptions {
  /** How long a claim holds, in milliseconds; 60 s by default. A holder that crashed frees it then. */
  lease?: number;
  /** How long a handled event is remembered, in milliseconds; 7 days by default. */
  retention?: number;
  /** The clock, in milliseconds; `Date.now` by default. */
  now?: () => number;
  /** The first parts of every key; `["userhub"]` by default. */
  prefix?: readonly string[];
  /**
   * How long the claim of a handler that is still running is renewed at
   * most, in milliseconds; 10 minutes by default. A handler that hangs then
   * loses its claim a lease later, and a redelivery may run the event again
   * rather than be refused for ever.
   */
  holdLimit?: number;
  /**
   * How many handled event ids and signed requests this process also keeps
   * in memory, 10,000 of each by default (about 2 MB); 0 for none. Both are
   * final until they expire, so a repeat is answered without a store round
   * trip, even with several servers sharing the store.
   */
  memory?: number;
}

/** The default lease of a claim: 60 s. */
export const DEFAULT_LEASE_MS = 60_000;
/** The default limit on renewing a running handler's claim: 10 minutes. */
export const DEFAULT_HOLD_LIMIT_MS = 10 * 60 * 1000;
/** The default retention of a handled event: 7 days. */
export const DEFAULT_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

const DEFAULT_MEMORY = 10_000;
const MAX_ATTEMPTS = 5;

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
 * Keys: `[...prefix, "event", id]` holds `{state, until}` (and a random token
 * while processing); `[...prefix, "signed", digest]` holds `{action, until}`.
 * No body, signature or secret is stored.
 *
 * @example Claim, then complete
 * ```ts
 * import { KvDeliveryGuard } from "./dedupe.ts";
 *
 * const kv = await Deno.openKv(":memory:");
 * const guard = new KvDeliveryGuard(kv);
 * const first = await guard.claim("evt_1");
 * console.assert(first.status === "claimed");
 * await guard.complete("evt_1");
 * console.assert((await guard.claim("evt_1")).status === "done");
 * kv.close();
 * ```
 */
export class KvDeliveryGuard implements DeliveryGuard {
  readonly #kv: Deno.Kv;
  readonly #writes: KvWriteBatcher;
  readonly #lease: number;
  readonly #holdLimit: number;
  readonly #retention: number;
  readonly #now: () => number;
  readonly #prefix: readonly string[];
  /** Event id → "done", until its retention ends. */
  readonly #done: BoundedCache<true>;
  /** Signed digest → the action it was accepted under, until its window ends. */
  readonly #signed: BoundedCache<string>;

  /**
   * @param kv An open Deno KV store, e.g. from `Deno.openKv()`.
   * @param options Lease, retention, clock and key prefix.
   */
  constructor(kv: Deno.Kv, options: KvDeliveryGuardOptions = {}) {
    this.#kv = kv;
    this.#writes = new KvWriteBatcher(kv);
    this.#lease = options.lease ?? DEFAULT_LEASE_MS;
    this.#holdLimit = options.holdLimit ?? DEFAULT_HOLD_LIMIT_MS;
    this.#retention = options.retention ?? DEFAULT_RETENTION_MS;
    this.#now = options.now ?? Date.now;
    this.#prefix = options.prefix ?? ["userhub"];
    this.#done = new BoundedCache(options.memory ?? DEFAULT_MEMORY);
    this.#signed = new BoundedCache(options.memory ?? DEFAULT_MEMORY);
  }

  /** Where an event's record lives. */
  #eventKey(eventId: string): Deno.KvKey {
    return [...this.#prefix, "event", eventId];
  }

  /** Where a signed request's record lives. */
  #signedKey(digest: string): Deno.KvKey {
    return [...this.#prefix, "signed", digest];
  }

  /**
   * Claims an event id: absent (or expired) becomes `processing` for the lease.
   * @param eventId The event's `id`.
   * @returns Claimed with a token, done, or busy with the seconds left.
   */
  async claim(eventId: string): Promise<ClaimResult> {
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
    const value: EventRecord = { state: "done", until: this.#now() + this.#retention };
    const key = this.#eventKey(eventId);
    await this.#writes.write({ checks: [], sets: [{ key, value, expireIn: this.#retention }] });
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
    const until = this.#now() + this.#holdLimit;
    let running: Promise<unknown> = Promise.resolve();
    const timer = setInterval(() => {
      if (this.#now() >= until) return clearInterval(timer);
      running = this.#renew(eventId, token).then(
        (held) => held || clearInterval(timer),
        () => {}, // Tried again at the next tick.
      );
    }, this.#lease / 3);
    return async () => {
      clearInterval(timer);
      await running;
    };
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
   * Whether this process recorded or read the event as done, within its retention.
   * @param eventId The event's `id`.
   * @returns `true` when known done; `false` when the store must be asked.
   */
  isKnownDone(eventId: string): boolean {
    return this.#done.get(eventId, this.#now()) === true;
  }

  /**
   * Claims a never-seen event, and remembers its signed request if given,
   * with one atomic write that checks that none of the keys exists (and is
   * committed together with the other writes waiting at the time). Any
   * record at all, even an expired one not deleted yet, leaves the decision
   * to the long way.
   * @param eventId The event's `id`.
   * @param signed The signed request to remember with it, if any.
   * @returns The claim's token, or `undefined` when a key exists.
   */
  async claimUnseen(eventId: string, signed?: SignedRequest): Promise<string | undefined> {
    const now = this.#now();
    if (this.#done.get(eventId, now)) return undefined;
    if (signed !== undefined && this.#signed.get(signed.digest, now) !== undefined) {
      return undefined;
    }
    const eventKey = this.#eventKey(eventId);
    const token = crypto.randomUUID();
    const claim: EventRecord = { state: "processing", token, until: now + this.#lease };
    const write: KvWrite = {
      checks: [{ key: eventKey, versionstamp: null }],
      sets: [{ key: eventKey, value: claim, expireIn: this.#lease }],
    };
    let record: SignedRecord | undefined;
    if (signed !== undefined) {
      const signedKey = this.#signedKey(signed.digest);
      record = { action: signed.action, until: now + signed.ttl };
      write.checks.push({ key: signedKey, versionstamp: null });
      write.sets.push({ key: signedKey, value: record, expireIn: signed.ttl });
    }
    if (!await this.#writes.write(write)) return undefined;
    if (signed !== undefined) this.#signed.set(signed.digest, signed.action, record!.until);
    return token;
  }

  /**
   * Remembers a signed request, atomically: only one caller gets `undefined`.
   * @param digest Identifies the signed bytes.
   * @param action The action it is accepted under now.
   * @param ttl How long to remember it, in milliseconds.
   * @returns `undefined` the first time; later, the action it was first accepted under.
   */
  async rememberSigned(digest: string, action: string, ttl: number): Promise<string | undefined> {
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

/**
 * The digest that identifies a signed request: SHA-256 of
 * `<timestamp>.<body>`, the bytes every valid signature of it covers. Unlike
 * the signature text it does not change when a replay alters the case of the
 * hex, adds junk signatures or drops one of several, and it holds nothing that
 * would let anyone sign.
 *
 * @param timestamp The verified `UserHub-Timestamp`, in unix seconds.
 * @param body The raw body.
 * @returns Lowercase hex.
 *
 * @example
 * ```ts
 * import { signedDigest } from "./dedupe.ts";
 *
 * const digest = await signedDigest(1700000000, new TextEncoder().encode("{}"));
 * console.assert(digest.length === 64);
 * ```
 */
export function signedDigest(timestamp: number, body: Uint8Array): string | Promise<string> {
  const prefix = `${timestamp}.`;
  // Small bodies synchronously, as their HMAC; large ones natively, off the main thread.
  if (body.length <= SMALL_BODY_BYTES) {
    digestHasher.reset().updateAscii(prefix).update(body).digest(DIGEST_WORDS);
    return wordsToHex(DIGEST_WORDS);
  }
  const bytes = new Uint8Array(prefix.length + body.length);
  bytes.set(new TextEncoder().encode(prefix));
  bytes.set(body, prefix.length);
  return crypto.subtle.digest("SHA-256", bytes).then((digest) => {
    const words = new Int32Array(8);
    bytesToWords(new Uint8Array(digest), words);
    return wordsToHex(words);
  });
}

const digestHasher = new Sha256();
const DIGEST_WORDS = new Int32Array(8);

function live<T extends { until: number }>(value: T | null, now: number): T | undefined {
  if (value === null || typeof value !== "object" || !(value.until > now)) return undefined;
  return value;
}

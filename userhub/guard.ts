/**
 * Effectively-once handling: what a receiver must remember so that a
 * redelivery or a replay never runs a handler twice. {@linkcode DeliveryGuard}
 * is the contract; `kv_guard.ts` keeps it in Deno KV.
 *
 * @module
 */

import { joined, sha256Hex } from "./_hashing.ts";

/** What {@linkcode DeliveryGuard.claim} found for an event id. */
export type ClaimResult =
  /** This delivery holds the event now; pass the token to `release`. */
  | { status: "claimed"; token: string }
  /** The event was handled already: acknowledge it, do not run the handler. */
  | { status: "done" }
  /** Another delivery holds the event; `retryAfter` is the lease left, in whole seconds. */
  | { status: "busy"; retryAfter: number }
  /** The same signed bytes were accepted before under another action: refuse them. */
  | { status: "replayed"; action: string };

/**
 * Where a receiver remembers what it handled. Every method is atomic across
 * all receivers sharing the store, and throws when the store fails (the
 * receiver then answers 503 and runs nothing).
 */
export interface DeliveryGuard {
  /**
   * Claims an event before its handler runs, and remembers the signed
   * request it came in, so that those bytes cannot run again under another
   * action.
   * @param eventId The event's `id`.
   * @param signed The signed request of this delivery.
   * @returns Claimed (run the handler), done, busy, or replayed.
   */
  claim(eventId: string, signed: SignedRequest): Promise<ClaimResult>;
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
   * Keeps a claim alive while its handler runs longer than a lease, renewing
   * it before it expires, until the returned function is called.
   * @param eventId The event's `id`.
   * @param token The token `claim` returned.
   * @returns Stops renewing; resolves once no renewal is under way.
   */
  holdClaim(eventId: string, token: string): () => Promise<void>;
  /**
   * Remembers a signed request for its `ttl`, unless it already is.
   * @param signed The request, and the action it is accepted under now.
   * @returns `undefined` the first time; later, the action it was first accepted under.
   */
  rememberSigned(signed: SignedRequest): Promise<string | undefined>;
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
 * import { signedDigest } from "./guard.ts";
 *
 * const digest = await signedDigest(1700000000, new TextEncoder().encode("{}"));
 * console.assert(digest.length === 64);
 * ```
 */
export async function signedDigest(timestamp: number, body: Uint8Array): Promise<string> {
  return await sha256Hex(joined(`${timestamp}.`, body));
}

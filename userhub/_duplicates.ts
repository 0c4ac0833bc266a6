/**
 * Effectively-once handling, applied to calls: an event's handler runs at
 * most once across redeliveries, and a signed request accepted once is not
 * accepted again under any action. Without a guard every call runs.
 *
 * @module
 */

import { type DeliveryGuard, signedDigest, type SignedRequest } from "./guard.ts";
import { WebhookError } from "./errors.ts";
import type { Event } from "./events.ts";
import type { Logger } from "./log.ts";
import { StoreError, StoreOutage } from "./_outage_log.ts";
import { inDedupeSpan } from "./_telemetry.ts";
import type { VerifiedCall } from "./_verify.ts";

/** Another delivery of the event holds its claim: answered 409 with `Retry-After`. */
export class BusyError extends WebhookError {
  /**
   * Says who holds the event, and for how long.
   * @param eventId The event's `id`.
   * @param retryAfter The seconds left on the other delivery's lease.
   */
  constructor(eventId: string, retryAfter: number) {
    super(
      "ABORTED",
      `Event ${JSON.stringify(eventId)} is being handled by another delivery: retry later`,
      { status: 409, headers: { "retry-after": String(retryAfter) } },
    );
    this.name = "BusyError";
  }
}

/** Applies a {@linkcode DeliveryGuard}, if any, to the calls of a receiver. */
export class Duplicates {
  readonly #guard: DeliveryGuard | undefined;
  readonly #logger: Logger;
  readonly #outage: StoreOutage;
  readonly #window: number;

  /**
   * Gates calls with a guard, or lets every call through without one.
   * @param guard Where handled events and accepted requests are remembered.
   * @param logger Where failures of the store after the fact are logged.
   * @param tolerance Seconds a timestamp may be off the clock: a signed request
   * is remembered for that long on either side.
   * @param now The clock, in milliseconds, for the log of a failing store.
   */
  constructor(
    guard: DeliveryGuard | undefined,
    logger: Logger,
    tolerance: number,
    now: () => number,
  ) {
    this.#guard = guard;
    this.#logger = logger;
    this.#outage = new StoreOutage(logger, now);
    this.#window = 2 * tolerance * 1000;
  }

  /**
   * Runs an event's handler unless the event was handled already: claims it
   * first, marks it done after, and releases it when the handler throws.
   * @param call The verified call.
   * @param event The decoded event.
   * @param run Runs the handler.
   * @returns What `run` returned, or `duplicate` when it did not run.
   * @throws {BusyError} When another delivery holds the event.
   * @throws {WebhookError} 409 when the bytes were accepted under another action;
   * {@linkcode StoreError} when the store fails; whatever the handler throws.
   */
  async runEvent<T>(
    call: VerifiedCall,
    event: Event,
    run: () => Promise<T>,
  ): Promise<T | "duplicate"> {
    const guard = this.#guard;
    if (guard === undefined) return await run();
    const about = `${event.id} (${event.type})`;
    const signed = await this.#signed(call);
    const claim = await this.#store(call.action, about, () => guard.claim(event.id, signed));
    if (claim.status === "done") return "duplicate";
    if (claim.status === "busy") throw new BusyError(event.id, claim.retryAfter);
    if (claim.status === "replayed") throw replayed(call.action, claim.action);
    let result: T;
    try {
      const stopHolding = guard.holdClaim(event.id, claim.token);
      try {
        result = await run();
      } finally {
        await stopHolding();
      }
    } catch (error) {
      await inDedupeSpan(() => guard.release(event.id, claim.token)).catch((cause) =>
        this.#logger.error(
          `Cannot release the claim on ${about} (it expires with its lease):`,
          cause,
        )
      );
      throw error;
    }
    try {
      await inDedupeSpan(() => guard.complete(event.id));
    } catch (cause) {
      // The handler ran: answering 200 avoids running it again for nothing.
      this.#logger.error(`Handled ${about}, but cannot record it as done:`, cause);
    }
    return result;
  }

  /**
   * Refuses a second copy of a signed request, for any action but an event
   * (whose copies are duplicates) or a challenge (whose copies are answered).
   * @param call The verified call.
   * @throws {WebhookError} 409 when its bytes were accepted before; a
   * {@linkcode StoreError} when the store fails.
   */
  async admitAction(call: VerifiedCall): Promise<void> {
    const guard = this.#guard;
    if (guard === undefined) return;
    const signed = await this.#signed(call);
    const earlier = await this.#store(call.action, call.action, () => guard.rememberSigned(signed));
    if (earlier !== undefined) throw replayed(call.action, earlier);
  }

  /**
   * Records a challenge's bytes so they cannot be replayed under another
   * action; never refuses it, and only logs a store that fails.
   * @param call The verified call.
   */
  async admitChallenge(call: VerifiedCall): Promise<void> {
    const guard = this.#guard;
    if (guard === undefined) return;
    try {
      const signed = await this.#signed(call);
      await inDedupeSpan(() => guard.rememberSigned(signed));
    } catch (cause) {
      this.#logger.error("Cannot record the challenge request (answered anyway):", cause);
    }
  }

  /**
   * Runs a store operation whose failure refuses the call: it becomes a
   * {@linkcode StoreError}, and the log of the outage hears of it.
   */
  async #store<T>(action: string, about: string, operation: () => Promise<T>): Promise<T> {
    let result: T;
    try {
      result = await inDedupeSpan(operation);
    } catch (cause) {
      const error = new StoreError(about, cause);
      this.#outage.refused(`Refused ${action} (503): ${error.message}`, cause);
      throw error;
    }
    this.#outage.answered();
    return result;
  }

  /** The call as the guard remembers it, for as long as its timestamp is accepted. */
  async #signed(call: VerifiedCall): Promise<SignedRequest> {
    const digest = await signedDigest(call.timestamp, call.body);
    return { digest, action: call.action, ttl: this.#window };
  }
}

function replayed(action: string, earlier: string): WebhookError {
  return new WebhookError(
    "ABORTED",
    `Cannot run ${action}: the same signed request was already accepted as ${
      JSON.stringify(earlier)
    }`,
    { status: 409 },
  );
}

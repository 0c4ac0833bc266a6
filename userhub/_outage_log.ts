/**
 * Failing closed, and quietly, when the store of a delivery guard fails:
 * each call it cannot check is answered 503 and runs nothing, and the log
 * says so without a stack trace per call.
 *
 * @module
 */

import { WebhookError } from "./errors.ts";
import type { Logger } from "./log.ts";

/** What a 503 for a failed store asks the sender to wait, in seconds. */
export const STORE_RETRY_AFTER_SECONDS = 5;

/** The store of a delivery guard failed: the call is answered 503. */
export class StoreError extends WebhookError {
  /**
   * Says what could not be checked.
   * @param about What was being checked, e.g. the event id and type.
   * @param cause What the store threw.
   */
  constructor(about: string, cause: unknown) {
    super("UNAVAILABLE", `Cannot check ${about} for duplicates: the store failed`, {
      status: 503,
      headers: { "retry-after": String(STORE_RETRY_AFTER_SECONDS) },
    });
    this.name = "StoreError";
    this.cause = cause;
  }
}

/**
 * The log of a store that fails: the first refused call with its cause, then
 * at most one line per interval with the number of calls refused since, and
 * one line when the store answers again.
 */
export class StoreOutage {
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #interval: number;
  #since: number | undefined;
  #lastLine = 0;
  #unsaid = 0;
  #refused = 0;

  /**
   * Logs to `logger`.
   * @param logger Where the lines go.
   * @param now The clock, in milliseconds.
   * @param interval The least time between two lines of one outage; 10 s by default.
   */
  constructor(logger: Logger, now: () => number = Date.now, interval = 10_000) {
    this.#logger = logger;
    this.#now = now;
    this.#interval = interval;
  }

  /**
   * A call was refused with 503 because the store failed.
   * @param line The line for the first refusal, e.g. `Refused events.handle (503): …`.
   * @param cause What the store threw, logged with the first refusal.
   */
  refused(line: string, cause: unknown): void {
    const now = this.#now();
    this.#refused++;
    if (this.#since === undefined) {
      this.#since = this.#lastLine = now;
      this.#logger.error(line, cause);
      return;
    }
    this.#unsaid++;
    if (now - this.#lastLine < this.#interval) return;
    this.#logger.error(
      `The store still fails: ${this.#unsaid} more calls refused (503) in ${
        seconds(now - this.#lastLine)
      }`,
    );
    this.#lastLine = now;
    this.#unsaid = 0;
  }

  /** The store answered: after an outage, says so, once. */
  answered(): void {
    if (this.#since === undefined) return;
    this.#logger.info(
      `The store answers again: ${this.#refused} calls refused (503) in ${
        seconds(this.#now() - this.#since)
      } of failure`,
    );
    this.#since = undefined;
    this.#unsaid = this.#refused = 0;
  }
}

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)} s`;
}

/**
 * Failing closed when the store of a delivery guard fails: the
 * call is answered 503 and no handler runs unprotected.
 *
 * @module
 */

import { WebhookError } from "./error.ts";

/** What a 503 for a failed store asks the sender to wait, in seconds. */
export const STORE_RETRY_AFTER_SECONDS = 5;

/** The store of a delivery guard failed: answered 503, and logged with its cause. */
export class StoreError extends WebhookError {
  /**
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
 * Runs a store operation; any failure becomes a {@linkcode StoreError}.
 *
 * @param about What is being checked, for the error's message.
 * @param operation The store operation.
 * @returns What the operation returned.
 * @throws {StoreError} When it throws.
 */
export async function storeOperation<T>(about: string, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw new StoreError(about, error);
  }
}

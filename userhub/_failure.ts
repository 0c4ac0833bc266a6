/**
 * What became of a call that threw: the handler's own failures kept apart
 * from the receiver's refusals.
 *
 * @module
 */

import { BusyError } from "./_duplicates.ts";
import { StoreError } from "./_outage_log.ts";
import { inHandlerSpan } from "./_telemetry.ts";
import { WebhookError } from "./errors.ts";
import type { Outcome } from "./report.ts";

/**
 * What became of a call that threw: a handler that threw failed, unless an
 * action's handler threw a `WebhookError`, which is its answer (say, "User not
 * found"). Before any handler ran, the call was refused: busy, unavailable or
 * rejected.
 */
export function outcomeOf(error: unknown, inHandler: boolean, action: string): Outcome {
  if (inHandler) {
    return action !== "events.handle" && error instanceof WebhookError ? "answered" : "failed";
  }
  if (error instanceof BusyError) return "busy";
  if (error instanceof StoreError) return "unavailable";
  return error instanceof WebhookError ? "rejected" : "failed";
}

/** What a handler threw (or its result's check), kept apart from the receiver's own refusals. */
export class HandlerFailure extends Error {
  constructor(cause: unknown) {
    super("Handler failed", { cause });
  }
}

/** Runs a handler in its span; what it throws becomes a {@linkcode HandlerFailure}. */
export async function inHandler<T>(
  call: { eventType: string } | { action: string },
  run: () => Promise<T>,
): Promise<T> {
  try {
    return await inHandlerSpan(call, run);
  } catch (error) {
    throw new HandlerFailure(error);
  }
}

/** Runs code that belongs to the handler's answer, such as the check of its result. */
export function ranHandler<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    throw new HandlerFailure(error);
  }
}

/**
 * What became of a call that did not get its handler's answer: refused
 * before it was verified, unimplemented, or failed (the handler's own failures
 * kept apart from the receiver's refusals); its answer, log line and report.
 *
 * @module
 */

import { BusyError } from "./_duplicates.ts";
import { StoreError } from "./_outage_log.ts";
import { inHandlerSpan } from "./_telemetry.ts";
import { errorResponse, WebhookError } from "./errors.ts";
import { type Logger, oneLine, printableError } from "./log.ts";
import type { ErrorContext } from "./options.ts";
import { answered, type CallReport, handlerOutcome, type Outcome, type Receipt } from "./report.ts";

/**
 * A call refused before it was verified; logged as such.
 * @param logger Where the line goes.
 * @param error Why it was refused.
 * @returns Its answer and report.
 */
export function refused(logger: Logger, error: unknown): Receipt {
  const response = errorResponse(error);
  const report: CallReport = {
    outcome: response.status === 503 ? "unavailable" : "rejected",
    status: response.status,
  };
  if (error instanceof WebhookError) {
    logger.warn(`Rejected (${error.status}): ${error.message}`);
    report.reason = error.message;
  }
  return { response, report };
}

/**
 * A verified call whose action has no handler: 501.
 * @param logger Where the line goes.
 * @param action The action.
 * @returns Its answer and report.
 */
export function unimplemented(logger: Logger, action: string): Receipt {
  const error = new WebhookError("UNIMPLEMENTED", `Handler not implemented: ${action}`);
  logger.warn(`Refused ${action} (${error.status}): ${error.message}`);
  return answered(errorResponse(error), {
    action,
    outcome: "unimplemented",
    reason: error.message,
  });
}

/**
 * The answer to an error thrown while a verified call was handled, its log
 * line and its report: what became of the call follows from what failed.
 * @param thrown What was thrown; a {@linkcode HandlerFailure} when the handler threw it.
 * @param about The call's action, and its event.
 * @param logger Where refusals are logged.
 * @param onError Told of a handler's failure; awaited, and what it throws is logged.
 * @returns Its answer and report.
 */
export async function failed(
  thrown: unknown,
  about: ErrorContext,
  logger: Logger,
  onError: (error: unknown, context: ErrorContext) => unknown,
): Promise<Receipt> {
  const inHandler = thrown instanceof HandlerFailure;
  const error = inHandler ? thrown.cause : thrown;
  const outcome = outcomeOf(error, inHandler, about.action);
  const reason = error instanceof Error ? error.message : String(error);
  if (error instanceof StoreError) {
    // Logged by the duplicate check, which keeps a failing store from flooding the log.
  } else if (error instanceof WebhookError && outcome === "answered") {
    logger.info(`Answered ${about.action} (${error.status}): ${error.message}`);
  } else if (
    error instanceof WebhookError && (error.status < 500 || error.code === "UNIMPLEMENTED")
  ) {
    logger.warn(`Refused ${about.action} (${error.status}): ${error.message}`);
  } else {
    try {
      await onError(error, about);
    } catch (hookError) {
      logger.error(`The onError hook failed for ${about.action}: ${oneLine(hookError)}`);
    }
  }
  return answered(errorResponse(error), {
    ...about,
    outcome,
    reason,
    ...(outcome === "failed" && { error: printableError(error) }),
  });
}

/**
 * What became of a call that threw: a handler that threw failed, unless an
 * action's handler threw a `WebhookError`, which is its answer (say, "User not
 * found"). Before any handler ran, the call was refused: busy, unavailable or
 * rejected.
 */
function outcomeOf(error: unknown, inHandler: boolean, action: string): Outcome {
  if (inHandler) {
    return handlerOutcome(action === "events.handle" ? "event" : "action", true, error);
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

/**
 * What became of each call a `Webhook` answered: for logs, traces and the
 * development console.
 *
 * @module
 */

import { WebhookError } from "./errors.ts";

/**
 * What became of a call: `handled` (its event handler finished), `unhandled`
 * (an event of a type with no handler, acknowledged with 200), `duplicate`
 * (handled before, skipped), `busy` (another delivery is handling it, 409),
 * `rejected` (refused with a 4xx before any handler ran), `failed` (a handler
 * threw), `unavailable` (503: the store failed, or too many bodies at once),
 * `unimplemented` (501: no handler for the action), `answered` (a challenge
 * or another action got its answer).
 */
export type Outcome =
  | "handled"
  | "unhandled"
  | "duplicate"
  | "busy"
  | "rejected"
  | "failed"
  | "unavailable"
  | "unimplemented"
  | "answered";

/** A call as it was answered: for logs, traces and the development console. */
export interface CallReport {
  /** The action, once it was read from a verified call. */
  action?: string;
  /** The event's `id`, once it was decoded. */
  eventId?: string;
  /** The event's `type`, once it was decoded. */
  eventType?: string;
  /** What became of the call. */
  outcome: Outcome;
  /** The HTTP status of the answer. */
  status: number;
  /** Why the call was refused, or the message of what a handler threw. */
  reason?: string;
  /** What a handler threw, as printed with its stack: for a call that `failed`. */
  error?: string;
}

/** A response, and the report of the call it answers. */
export interface Receipt {
  /** What to send UserHub. */
  response: Response;
  /** What became of the call. */
  report: CallReport;
  /** The raw body, once it was read. */
  body?: Uint8Array;
}

/**
 * What a handler's run came to. When it returned: `handled` for an event
 * handler, `answered` for another. When it threw: `failed`, but for an action
 * handler's `WebhookError` (say, "User not found"), which is its answer.
 *
 * @param kind Whether an event handler or an action's handler ran.
 * @param threw Whether it threw.
 * @param error What it threw.
 * @returns The outcome of the run.
 *
 * @example
 * ```ts
 * import { handlerOutcome } from "./report.ts";
 * import { WebhookError } from "./errors.ts";
 *
 * console.assert(handlerOutcome("action", true, new WebhookError("NOT_FOUND", "x")) === "answered");
 * console.assert(handlerOutcome("event", true, new WebhookError("NOT_FOUND", "x")) === "failed");
 * ```
 */
export function handlerOutcome(
  kind: "event" | "action",
  threw: boolean,
  error?: unknown,
): "handled" | "answered" | "failed" {
  if (!threw) return kind === "event" ? "handled" : "answered";
  return kind === "action" && error instanceof WebhookError ? "answered" : "failed";
}

/**
 * A call's answer and its report, whose status is the answer's.
 *
 * @param response The answer.
 * @param report What became of the call, but its status.
 * @returns The receipt.
 */
export function answered(response: Response, report: Omit<CallReport, "status">): Receipt {
  return { response, report: { ...report, status: response.status } };
}

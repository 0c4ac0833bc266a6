/**
 * A UserHub webhook receiver for Deno, written from the protocol contract.
 * {@linkcode Webhook} reads a call forward: body, signature, event, duplicate
 * check, your handler, answer. Test your handlers with `testing.ts`.
 *
 * @example Serve UserHub's calls
 * ```ts
 * import { Webhook } from "./mod.ts";
 *
 * const webhook = new Webhook("whsec_test").onEvents({
 *   "users.changed": (event) => console.log(event.usersChanged.user.id),
 * });
 * // Deno.serve((request) => webhook.handleFromWeb(request));
 * ```
 *
 * @module
 */

export { Webhook } from "./webhook.ts";
export type { ActionHandler, ErrorContext, EventHandler, WebhookOptions } from "./options.ts";
export { type ErrorCode, jsonResponse, WebhookError, type WebhookErrorOptions } from "./errors.ts";
export {
  type Event,
  EVENT_TYPES,
  type EventEnvelope,
  type EventHandlers,
  type EventOf,
  type EventPayloads,
  type EventType,
  type Payload,
  type PayloadField,
  type TypedEventHandler,
  type UnknownEvent,
} from "./events.ts";
export {
  CUSTOM_USER_SHAPE,
  type CustomUser,
  type Fields,
  type Infer,
  type InferRule,
  type Rule,
} from "./models.ts";
export {
  type CustomUserProvider,
  type ListUsersRequest,
  type ListUsersResult,
  type UserActionName,
  type UserActions,
  type UserIdRequest,
  UserNotFoundError,
} from "./users.ts";
export { line, type Logger } from "./log.ts";
export type { ClaimResult, DeliveryGuard, SignedRequest } from "./guard.ts";
export type { CallReport, Outcome, Receipt } from "./report.ts";
export { parseSecrets } from "./_signature.ts";

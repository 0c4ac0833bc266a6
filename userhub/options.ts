/**
 * What a `Webhook` is built from: its options, and the handlers it runs.
 *
 * @module
 */

import type { Event } from "./events.ts";
import type { DeliveryGuard } from "./guard.ts";
import type { Logger } from "./log.ts";
import type { CustomUserProvider } from "./users.ts";

/** Handles any decoded event; the call succeeds once what it returns settles. */
export type EventHandler = (event: Event) => unknown;
/** Answers an action with a JSON-serializable result. */
export type ActionHandler<I = unknown, O = unknown> = (input: I) => O | PromiseLike<O>;

/** What the `onError` hook is told about a failed call. */
export interface ErrorContext {
  /** The call's action, e.g. `events.handle`. */
  action: string;
  /** The event's `id`, for an event. */
  eventId?: string;
  /** The event's `type`, for an event. */
  eventType?: string;
}

/** Configuration of a {@linkcode Webhook}. */
export interface WebhookOptions {
  /** One signing secret, several separated by commas or whitespace, or a list. */
  secret: string | readonly string[];
  /** Seconds a timestamp may be off the receiver's clock; 300 by default. */
  tolerance?: number;
  /** The largest body accepted, in bytes; 5 MiB by default. */
  maxBodyBytes?: number;
  /**
   * The bytes all bodies being read and handled may hold together; 32 MiB by
   * default. A body that fits its limit but not this is answered 503 with
   * `Retry-After`.
   */
  maxBufferedBytes?: number;
  /**
   * Milliseconds a body may take to arrive once its headers have; 30 s by
   * default. A slower one is answered 408 with `connection: close`, and the
   * connection is closed once the rest of the body has come (or the client
   * hangs up): Deno's HTTP server keeps it open until then.
   */
  bodyTimeout?: number;
  /** The clock, in milliseconds; `Date.now` by default. */
  now?: () => number;
  /** Where refusals and failures are logged; the console by default. */
  logger?: Logger;
  /** Told of every handler failure, and awaited; logs it by default. */
  onError?: (error: unknown, context: ErrorContext) => unknown;
  /**
   * Remembers handled events and accepted requests, so that a redelivery or a
   * replay never runs a handler twice (see {@linkcode DeliveryGuard}). Without
   * it every verified call runs its handler.
   */
  guard?: DeliveryGuard;
  /** Answers the five `users.*` actions, as UserHub's user directory. */
  users?: CustomUserProvider;
}

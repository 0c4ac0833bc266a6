/**
 * Routing decoded events to one handler per event type.
 *
 * @module
 */

import type { Event, EventOf, UnknownEvent } from "./event.ts";
import type { EventType } from "./event_types.ts";
import { consoleLogger, type Logger } from "./logger.ts";
import type { EventHandler } from "./webhook_options.ts";

/**
 * The handler of one event type, given that type's payload. The call is
 * answered once what it returns settles: nothing, a promise, or any thenable
 * (such as a query builder's).
 */
export type TypedEventHandler<T extends EventType> = (event: EventOf<T>) => unknown;

/** A handler per known event type; the compiler checks each against its type. */
export type EventHandlers = { readonly [T in EventType]?: TypedEventHandler<T> };

/** Options of {@linkcode dispatchEvents}. */
export interface DispatchOptions {
  /** Runs for events whose type has no handler; by default they are logged and acknowledged. */
  fallback?: (event: UnknownEvent) => unknown;
  /** Where `Event: <type>` lines go; the console by default. */
  logger?: Logger;
}

/**
 * Builds an `onEvent` handler that logs each event and runs the handler of its
 * type. An event with no handler is acknowledged, never failed: UserHub adds
 * event types at any time.
 *
 * @param handlers The handler of each event type.
 * @param options A fallback and a logger.
 * @returns The handler for {@linkcode Webhook.onEvent}.
 *
 * @example
 * ```ts
 * import { dispatchEvents } from "./dispatch.ts";
 *
 * const onEvent = dispatchEvents({
 *   "users.changed": (event) => console.log(event.usersChanged.user.id),
 * });
 * ```
 */
export function dispatchEvents(
  handlers: EventHandlers,
  options: DispatchOptions = {},
): EventHandler {
  const logger = options.logger ?? consoleLogger;
  const fallback = options.fallback ??
    ((event: UnknownEvent) => logger.info(`Event: ${event.type} (no handler, acknowledged)`));
  return (event: Event) => {
    const handler = Object.hasOwn(handlers, event.type)
      ? handlers[event.type as EventType] as ((event: Event) => unknown) | undefined
      : undefined;
    if (handler === undefined) return fallback(event as UnknownEvent);
    logger.info(`Event: ${event.type}`);
    return handler(event);
  };
}

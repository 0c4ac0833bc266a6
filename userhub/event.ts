/**
 * The body of an `events.handle` call: an Event, and its decoder.
 *
 * @module
 */

import { WebhookError } from "./error.ts";
import type { Flow, Member, Organization, Subscription, User } from "./models.ts";

/** The payload each known event type carries, under its camelCase field. */
export interface EventPayloads {
  "organizations.changed": { organizationsChanged: { organization: Organization } };
  "users.changed": { usersChanged: { user: User } };
  "members.changed": { membersChanged: { organization: Organization; member: Member } };
  "subscriptions.changed": { subscriptionsChanged: { subscription: Subscription } };
  "flows.changed": { flowsChanged: { flow: Flow } };
}

/** The event types this receiver knows the payload of. */
export type EventType = keyof EventPayloads;

/** The envelope every event has. */
export interface EventEnvelope<T extends string = string> {
  /** Stable across re-deliveries of the same event. */
  id: string;
  /** When the event happened. */
  time?: Date;
  type: T;
}

/** The event of one known type, with its typed payload. */
export type EventOf<T extends EventType> = EventEnvelope<T> & EventPayloads[T];

/** An event of a type this receiver does not know yet (UserHub adds types). */
export interface UnknownEvent extends EventEnvelope {
  [field: string]: unknown;
}

/** An event of one of the known types. */
export type KnownEvent = { [T in EventType]: EventOf<T> }[EventType];

/** Any decoded event. Use {@linkcode isEventType} to narrow it. */
export type Event = KnownEvent | UnknownEvent;

/** The payload field of each known type. */
export const EVENT_PAYLOAD_FIELDS: { readonly [T in EventType]: keyof EventPayloads[T] } = {
  "organizations.changed": "organizationsChanged",
  "users.changed": "usersChanged",
  "members.changed": "membersChanged",
  "subscriptions.changed": "subscriptionsChanged",
  "flows.changed": "flowsChanged",
};

/**
 * Tells whether an event is of a known type, narrowing it to that type.
 *
 * @param event A decoded event.
 * @param type The type to test for.
 * @returns Whether `event.type` is `type`.
 */
export function isEventType<T extends EventType>(
  event: Event,
  type: T,
): event is Extract<KnownEvent, { type: T }> {
  return event.type === type;
}

const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * Decodes an `events.handle` body. Strings in fields named `time` or ending in
 * `Time` become `Date`s. A known type must carry its payload object.
 *
 * @param body The raw, already verified request body.
 * @returns The event.
 * @throws {WebhookError} `INVALID_ARGUMENT` when the body is not such an event.
 *
 * @example
 * ```ts
 * import { decodeEvent } from "./event.ts";
 *
 * const body = new TextEncoder().encode(
 *   '{"id":"evt_1","type":"something.new","time":"2026-11-26T12:00:00Z"}',
 * );
 * const event = decodeEvent(body);
 * console.assert(event.time instanceof Date);
 * ```
 */
export function decodeEvent(body: Uint8Array): Event {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(body));
  } catch {
    throw invalid("Cannot decode event: the body is not UTF-8 JSON");
  }
  if (!isObject(value)) throw invalid("Cannot decode event: the body is not a JSON object");
  if (typeof value.id !== "string" || value.id === "") {
    throw invalid('Cannot decode event: "id" is not a non-empty string');
  }
  if (typeof value.type !== "string" || value.type === "") {
    throw invalid('Cannot decode event: "type" is not a non-empty string');
  }
  if (Object.hasOwn(EVENT_PAYLOAD_FIELDS, value.type)) {
    const field = EVENT_PAYLOAD_FIELDS[value.type as EventType];
    if (!isObject(value[field])) {
      throw invalid(`Cannot decode event: "${value.type}" has no "${field}" object`);
    }
  }
  reviveTimes(value, "");
  return value as Event;
}

function reviveTimes(node: Record<string, unknown> | unknown[], path: string): void {
  for (const key in node) {
    const child = (node as Record<string, unknown>)[key];
    if (typeof child === "string") {
      if (!Array.isArray(node) && (key === "time" || key.endsWith("Time"))) {
        const date = new Date(child);
        if (Number.isNaN(date.getTime())) {
          throw invalid(`Cannot decode event: "${path}${key}" is not a time: ${quote(child)}`);
        }
        (node as Record<string, unknown>)[key] = date;
      }
    } else if (typeof child === "object" && child !== null) {
      reviveTimes(child as Record<string, unknown>, `${path}${key}.`);
    }
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function quote(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

function invalid(message: string): WebhookError {
  return new WebhookError("INVALID_ARGUMENT", message);
}

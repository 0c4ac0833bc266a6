/**
 * The body of an `events.handle` call: an Event, and its decoder.
 *
 * @module
 */

import { WebhookError } from "./error.ts";
import type { Flow, Member, Organization, Subscription, User } from "./models.ts";
import { quote } from "./quote.ts";
import { decodeUtf8 } from "./utf8.ts";

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
    value = JSON.parse(decodeUtf8(body));
  } catch {
    throw invalid("Cannot decode event: the body is not UTF-8 JSON");
  }
  if (!isObject(value)) throw invalid("Cannot decode event: the body is not a JSON object");
  if (typeof value.id !== "string" || !EVENT_ID.test(value.id)) {
    throw invalid(
      `Cannot decode event: "id" is not 1 to 255 visible ASCII characters: ${quote(value.id)}`,
    );
  }
  if (typeof value.type !== "string" || !EVENT_TYPE.test(value.type)) {
    throw invalid(`Cannot decode event: "type" is not an event type name: ${quote(value.type)}`);
  }
  const known = Object.hasOwn(EVENT_PAYLOAD_FIELDS, value.type);
  if (known) {
    const field = EVENT_PAYLOAD_FIELDS[value.type as EventType];
    if (!isObject(value[field])) {
      throw invalid(`Cannot decode event: "${value.type}" has no "${field}" object`);
    }
  }
  try {
    // Times of a known type must be times; an unknown type keeps what it cannot parse.
    reviveObject(value, known);
  } catch (error) {
    if (error !== NOT_A_TIME) throw error;
    // Rare: find the field again, this time keeping track of its path.
    throw invalidTime(value, "") ?? invalid("Cannot decode event: a time field is not a time");
  }
  return value as Event;
}

/** Event ids are short tokens (`evt_…`); this bound also keeps them within a KV key. */
const EVENT_ID = /^[\x21-\x7e]{1,255}$/;
/** Event types are dotted names such as `organizations.changed`. */
const EVENT_TYPE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** Thrown by the fast walk; its path is found by {@linkcode invalidTime}. */
const NOT_A_TIME = new Error("Not a time");

// The walk runs once per event over every field: it keeps no path and uses
// plain loops, since it costs about as much as JSON.parse itself otherwise.
function reviveObject(node: Record<string, unknown>, strict: boolean): void {
  for (const key in node) {
    const child = node[key];
    if (typeof child === "string") {
      if (isTimeKey(key)) {
        const date = parseTime(child);
        if (date !== undefined) node[key] = date;
        else if (strict) throw NOT_A_TIME;
      }
    } else if (typeof child === "object" && child !== null) {
      if (Array.isArray(child)) reviveArray(child, strict);
      else reviveObject(child as Record<string, unknown>, strict);
    }
  }
}

function reviveArray(node: unknown[], strict: boolean): void {
  for (let i = 0; i < node.length; i++) {
    const child = node[i];
    if (typeof child !== "object" || child === null) continue;
    if (Array.isArray(child)) reviveArray(child, strict);
    else reviveObject(child as Record<string, unknown>, strict);
  }
}

function isTimeKey(key: string): boolean {
  return key === "time" || key.endsWith("Time");
}

/**
 * `new Date(text)`, faster for RFC 3339 UTC times with 0 or 3 fraction digits;
 * `undefined` when the text is not a time.
 */
function parseTime(text: string): Date | undefined {
  const length = text.length;
  if (
    (length === 24 || length === 20) && text.charCodeAt(length - 1) === 0x5a && // Z
    text.charCodeAt(4) === 0x2d && text.charCodeAt(7) === 0x2d && // -
    text.charCodeAt(10) === 0x54 && // T
    text.charCodeAt(13) === 0x3a && text.charCodeAt(16) === 0x3a && // :
    (length === 20 || text.charCodeAt(19) === 0x2e) // .
  ) {
    const year = digits(text, 0, 4);
    const month = digits(text, 5, 2);
    const day = digits(text, 8, 2);
    const hour = digits(text, 11, 2);
    const minute = digits(text, 14, 2);
    const second = digits(text, 17, 2);
    const milli = length === 24 ? digits(text, 20, 3) : 0;
    if (
      year >= 100 && month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour >= 0 &&
      hour <= 23 && minute >= 0 && minute <= 59 && second >= 0 && second <= 59 && milli >= 0
    ) {
      return new Date(
        daysSinceEpoch(year, month, day) * DAY_MS + hour * 3_600_000 + minute * 60_000 +
          second * 1000 + milli,
      );
    }
  }
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

const DAY_MS = 86_400_000;

/**
 * The days from 1970-01-01 to a date of the proleptic Gregorian calendar, as
 * `Date.UTC` counts them (a day past the month's end runs into the next one),
 * in plain arithmetic: `Date.UTC` is a call into the engine that cost more
 * than the rest of a time's decoding.
 */
function daysSinceEpoch(year: number, month: number, day: number): number {
  // Counted in years that start on 1 March, so that a leap day ends its year.
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * ((month + 9) % 12) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) +
    dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** The decimal number of `count` digits at `start`; -1 if one is not a digit. */
function digits(text: string, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i++) {
    const digit = text.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/** The error for the first field that is named as a time but is not one. */
function invalidTime(
  node: Record<string, unknown> | unknown[],
  path: string,
): WebhookError | undefined {
  for (const key in node) {
    const child = (node as Record<string, unknown>)[key];
    if (typeof child === "string") {
      if (!Array.isArray(node) && isTimeKey(key) && Number.isNaN(new Date(child).getTime())) {
        return invalid(`Cannot decode event: ${quote(path + key)} is not a time: ${quote(child)}`);
      }
    } else if (typeof child === "object" && child !== null) {
      const error = invalidTime(child as Record<string, unknown>, `${path}${key}.`);
      if (error !== undefined) return error;
    }
  }
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function invalid(message: string): WebhookError {
  return new WebhookError("INVALID_ARGUMENT", message);
}

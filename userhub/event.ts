/**
 * The body of an `events.handle` call: an Event, and its decoder.
 *
 * @module
 */

import { WebhookError } from "./error.ts";
import {
  EVENT_TYPES,
  type EventPayloads,
  type EventType,
  isKnownEventType,
} from "./event_types.ts";
import { isObject, parseJson } from "./_json.ts";
import { quote } from "./quote.ts";
import { MAX_PATH, problemWith } from "./_shape.ts";

/** The envelope every event has. */
export interface EventEnvelope<T extends string = string> {
  /** Stable across re-deliveries of the same event. */
  id: string;
  /** When the event happened. */
  time?: Date;
  /** What happened, e.g. `organizations.changed`; the payload field is named after it. */
  type: T;
}

/** The event of one known type, with its typed payload. */
export type EventOf<T extends EventType> = EventEnvelope<T> & EventPayloads[T];

/** An event of a type this receiver does not know yet (UserHub adds types). */
export interface UnknownEvent extends EventEnvelope {
  /** The payload, and any field newer than this receiver. */
  [field: string]: unknown;
}

/** An event of one of the known types. */
export type KnownEvent = { [T in EventType]: EventOf<T> }[EventType];

/** Any decoded event. Use {@linkcode isEventType} to narrow it. */
export type Event = KnownEvent | UnknownEvent;

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
 * `Time` become `Date`s. A known type must carry its payload, with every
 * field the contract requires and every field present of its type (see
 * `model_shapes.ts`); fields newer than this receiver are kept.
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
  const value = parseJson(body, "Cannot decode event");
  if (!isObject(value)) throw invalid("Cannot decode event: the body is not a JSON object");
  if (value.id === undefined) throw invalid('Cannot decode event: "id" is missing');
  if (typeof value.id !== "string" || !EVENT_ID.test(value.id)) {
    throw invalid(
      `Cannot decode event: "id" is not 1 to 255 visible ASCII characters: ${quote(value.id)}`,
    );
  }
  if (typeof value.type !== "string" || !EVENT_TYPE.test(value.type)) {
    throw invalid(`Cannot decode event: "type" is not an event type name: ${quote(value.type)}`);
  }
  const known = isKnownEventType(value.type) ? EVENT_TYPES[value.type as EventType] : undefined;
  if (known && !isObject(value[known.field])) {
    throw invalid(`Cannot decode event: "${value.type}" has no "${known.field}" object`);
  }
  try {
    // Times of a known type must be times; an unknown type keeps what it cannot parse.
    reviveTimes(value, known !== undefined);
  } catch (error) {
    if (!(error instanceof BadField)) throw error;
    throw invalid(`Cannot decode event: ${quote(error.path.join("."), MAX_PATH)} ${error.problem}`);
  }
  if (known) {
    const problem = problemWith(value[known.field], known.payload, known.field);
    if (problem !== undefined) throw invalid(`Cannot decode event: ${problem}`);
  }
  return value as Event;
}

/** Event ids are short tokens (`evt_…`); this bound also keeps them within a KV key. */
const EVENT_ID = /^[\x21-\x7e]{1,255}$/;
/** Event types are dotted names such as `organizations.changed`. */
const EVENT_TYPE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** A field that cannot be decoded; its path is filled in on the way back up. */
class BadField extends Error {
  readonly path: string[];
  readonly problem: string;

  constructor(key: string, problem: string) {
    super(problem);
    this.path = [key];
    this.problem = problem;
  }
}

/**
 * Turns every string in a field named `time` or ending in `Time` into a
 * `Date`, in place. A `__proto__` key is refused: code that copies the event
 * with `Object.assign` would take it as the copy's prototype.
 */
function reviveTimes(node: Record<string, unknown>, strict: boolean): void {
  for (const key in node) {
    if (key === "__proto__") throw new BadField(key, "is not allowed");
    const child = node[key];
    if (typeof child === "string") {
      if (key !== "time" && !key.endsWith("Time")) continue;
      const date = new Date(child);
      if (!Number.isNaN(date.getTime())) node[key] = date;
      else if (strict) throw new BadField(key, `is not a time: ${quote(child)}`);
    } else if (typeof child === "object" && child !== null) {
      reviveChild(child, key, strict);
    }
  }
}

/** The objects in a list: its strings are not fields, so none is a time. */
function reviveList(list: unknown[], strict: boolean): void {
  for (let i = 0; i < list.length; i++) {
    const child = list[i];
    if (typeof child === "object" && child !== null) reviveChild(child, String(i), strict);
  }
}

function reviveChild(child: object, key: string, strict: boolean): void {
  try {
    if (Array.isArray(child)) reviveList(child, strict);
    else reviveTimes(child as Record<string, unknown>, strict);
  } catch (error) {
    if (error instanceof BadField) error.path.unshift(key);
    throw error;
  }
}

function invalid(message: string): WebhookError {
  return new WebhookError("INVALID_ARGUMENT", message);
}

/**
 * The event types this receiver knows, in one table: to support a new UserHub
 * event type, add its model to `models.ts`, its entry to
 * {@linkcode EVENT_TYPES} (the compiler asks for every field, and holds the
 * sample to the payload's shape), then its handler file.
 *
 * @module
 */

import {
  FLOW_SHAPE,
  MEMBER_SHAPE,
  ORGANIZATION_SHAPE,
  SUBSCRIPTION_SHAPE,
  USER_SHAPE,
} from "./models.ts";
import type { Sampler, Wire } from "./_sampler.ts";
import type { Fields, Infer } from "./_shape.ts";
import { WebhookError } from "./errors.ts";
import { isObject, parseJson } from "./_json.ts";
import { quote } from "./log.ts";
import { MAX_PATH, problemWith } from "./_shape.ts";

/**
 * What this project knows of one event type.
 *
 * @typeParam F The field that carries the payload, e.g. `organizationsChanged`.
 * @typeParam P The objects in the payload, each with its shape, e.g. `{ organization }`.
 */
export interface EventTypeInfo<F extends string = string, P extends Fields = Fields> {
  /** The field that carries the payload, e.g. `organizationsChanged`. */
  field: F;
  /** The object inside the payload the event is about; what `deno task send --set` changes. */
  subject: keyof P & string;
  /** What happened, for `deno task send --list`. */
  description: string;
  /** What the payload must hold before a handler sees it: each of its objects. */
  payload: PayloadShape<P>;
  /** A realistic payload, as it travels in JSON, for tests and `deno task send`. */
  sample: (make: Sampler) => Wire<Infer<PayloadShape<P>>>;
}

/** The shape of a payload: the objects it carries, each required. */
export type PayloadShape<P extends Fields> = {
  readonly required: P;
  readonly optional: Record<never, never>;
};

/** Every known event type, in the order the sender lists them. */
export const EVENT_TYPES = {
  "organizations.changed": eventType({
    field: "organizationsChanged",
    subject: "organization",
    description: "an organization was created, changed or deleted",
    payload: { required: { organization: ORGANIZATION_SHAPE }, optional: {} },
    sample: (make) => ({ organization: make.organization() }),
  }),
  "users.changed": eventType({
    field: "usersChanged",
    subject: "user",
    description: "a user was created, changed or deleted",
    payload: { required: { user: USER_SHAPE }, optional: {} },
    sample: (make) => ({ user: make.user() }),
  }),
  "members.changed": eventType({
    field: "membersChanged",
    subject: "member",
    description: "a member joined, left or changed role in an organization",
    payload: { required: { organization: ORGANIZATION_SHAPE, member: MEMBER_SHAPE }, optional: {} },
    sample: (make) => ({ organization: make.organization(), member: make.member() }),
  }),
  "subscriptions.changed": eventType({
    field: "subscriptionsChanged",
    subject: "subscription",
    description: "a subscription started, renewed, changed plan or ended",
    payload: { required: { subscription: SUBSCRIPTION_SHAPE }, optional: {} },
    sample: (make) => ({ subscription: make.subscription() }),
  }),
  "flows.changed": eventType({
    field: "flowsChanged",
    subject: "flow",
    description: "an invitation or sign-up flow started, completed or expired",
    payload: { required: { flow: FLOW_SHAPE }, optional: {} },
    sample: (make) => ({ flow: make.flow() }),
  }),
};

/** Lets the compiler infer an entry's field and objects, and check the rest against them. */
function eventType<const F extends string, const P extends Fields>(
  info: EventTypeInfo<F, P>,
): EventTypeInfo<F, P> {
  return info;
}

/** The event types this receiver knows the payload of. */
export type EventType = keyof typeof EVENT_TYPES;

/** The camelCase field that carries the payload of an event type. */
export type PayloadField<T extends EventType> = (typeof EVENT_TYPES)[T]["field"];

/** The objects in the payload of an event type, each with its shape. */
export type PayloadObjects<T extends EventType> = (typeof EVENT_TYPES)[T]["payload"]["required"];

/** The payload object of an event type, e.g. `{ organization }`. */
export type Payload<T extends EventType> = Infer<(typeof EVENT_TYPES)[T]["payload"]>;

/** The payload each known event type carries, under its camelCase field. */
export type EventPayloads = { [T in EventType]: { [F in PayloadField<T>]: Payload<T> } };

/**
 * {@linkcode EVENT_TYPES} entry by entry, for code generic over the event
 * type: `table[type].sample` of a `type: T` gives the payload of `T`.
 */
export type EventTypeTable = {
  readonly [T in EventType]: EventTypeInfo<PayloadField<T>, PayloadObjects<T>>;
};

/**
 * Tells whether a string names a known event type.
 *
 * @param type An event's `type`.
 * @returns Whether this receiver knows its payload.
 *
 * @example
 * ```ts
 * import { isKnownEventType } from "./events.ts";
 *
 * console.assert(isKnownEventType("users.changed") && !isKnownEventType("user.changed"));
 * ```
 */
export function isKnownEventType(type: string): type is EventType {
  return Object.hasOwn(EVENT_TYPES, type);
}

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

/** Any decoded event: of a known type, or of a type this receiver does not know yet. */
export type Event = { [T in EventType]: EventOf<T> }[EventType] | UnknownEvent;

/**
 * Decodes an `events.handle` body. Strings in fields named `time` or ending in
 * `Time` become `Date`s. A known type must carry its payload, with every
 * field the contract requires and every field present of its type (see
 * `models.ts`); fields newer than this receiver are kept.
 *
 * @param body The raw, already verified request body.
 * @returns The event.
 * @throws {WebhookError} `INVALID_ARGUMENT` when the body is not such an event.
 *
 * @example
 * ```ts
 * import { decodeEvent } from "./events.ts";
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

/**
 * The handler of one event type, given that type's payload. The call is
 * answered once what it returns settles: nothing, a promise, or any thenable
 * (such as a query builder's).
 */
export type TypedEventHandler<T extends EventType> = (event: EventOf<T>) => unknown;

/** A handler per known event type; the compiler checks each against its type. */
export type EventHandlers = { readonly [T in EventType]?: TypedEventHandler<T> };

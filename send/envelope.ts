/**
 * Turning a body into what is sent: wrapping a payload in an Event envelope,
 * and applying `--set key=value` to the object an event or call is about.
 *
 * @module
 */

import type { EventType } from "../userhub/mod.ts";
import { EVENT_TYPES, newId } from "../userhub/testing.ts";
import { quote } from "./quote.ts";
import { isEventTarget, type Target } from "./targets.ts";
import { UsageError } from "./usage_error.ts";

/** A JSON object. */
export type JsonObject = Record<string, unknown>;

/**
 * Builds an Event: `id`, `time`, `type` and the payload under the type's
 * camelCase field.
 *
 * @param type The event type.
 * @param payload The payload, e.g. `{ organization }`.
 * @param fields The event id and RFC 3339 time.
 * @returns The event.
 *
 * @example
 * ```ts
 * import { eventEnvelope } from "./envelope.ts";
 *
 * const event = eventEnvelope("users.changed", { user: { id: "usr_1" } }, {
 *   id: "evt_1",
 *   time: "2026-11-26T12:00:00.000Z",
 * });
 * console.assert("usersChanged" in event);
 * ```
 */
export function eventEnvelope(
  type: EventType,
  payload: JsonObject,
  fields: { id: string; time: string },
): JsonObject {
  return { id: fields.id, time: fields.time, type, [EVENT_TYPES[type].field]: payload };
}

/** Options of {@linkcode toEvent}. */
export interface ToEventOptions {
  /** Give the event a fresh id even when the data has one (`--count` above 1). */
  freshId: boolean;
  /** The time of an event whose data has none. */
  now: Date;
}

/**
 * Makes an event of `type` from the content of a `--data` file: either a
 * whole Event, kept as it is (its `id` too, unless `freshId`), or just its
 * payload (`{"organization": {...}}`), which is wrapped in a new envelope.
 *
 * @param type The event type asked for on the command line.
 * @param data The parsed file.
 * @param options Whether to replace the id, and the time to use.
 * @returns The event to send.
 * @throws {UsageError} When the data is neither such an event nor its payload.
 *
 * @example Wrap a payload
 * ```ts
 * import { toEvent } from "./envelope.ts";
 *
 * const event = toEvent("organizations.changed", { organization: { id: "org_1" } }, {
 *   freshId: false,
 *   now: new Date(),
 * });
 * console.assert(event.type === "organizations.changed" && String(event.id).startsWith("evt_"));
 * ```
 */
export function toEvent(type: EventType, data: unknown, options: ToEventOptions): JsonObject {
  const object = expectObject(data, "it");
  const { field, subject } = EVENT_TYPES[type];
  if (isEnvelope(object)) {
    if (object.type !== undefined && object.type !== type) {
      throw new UsageError(
        `Cannot use --data: it holds a ${quote(object.type)} event, not ${quote(type)}`,
      );
    }
    if (!isObject(object[field])) {
      throw new UsageError(`Cannot use --data: the event has no ${quote(field)} object`);
    }
    const id = !options.freshId && typeof object.id === "string" && object.id !== ""
      ? object.id
      : newId("evt");
    const time = typeof object.time === "string" ? object.time : options.now.toISOString();
    return { ...object, id, time, type };
  }
  if (!isObject(object[subject])) {
    throw new UsageError(
      `Cannot use --data: expected a ${quote(type)} event or its payload ` +
        `{"${subject}": {...}}, found ${describeKeys(object)}`,
    );
  }
  return eventEnvelope(type, object, { id: newId("evt"), time: options.now.toISOString() });
}

/**
 * Sets top-level fields of the object a call is about: the organization of
 * `organizations.changed`, the member of `members.changed`, and so on; the
 * body itself for `challenge` and `users.*`.
 *
 * @param body The event or request body; changed in place.
 * @param target What is sent.
 * @param sets The `--set` pairs, in order.
 * @throws {UsageError} When the event has no such object.
 *
 * @example
 * ```ts
 * import { applySets } from "./envelope.ts";
 *
 * const body = { pageSize: 10 };
 * applySets(body, "users.list", [["pageSize", 2]]);
 * console.assert(body.pageSize === 2);
 * ```
 */
export function applySets(
  body: JsonObject,
  target: Target,
  sets: readonly (readonly [string, unknown])[],
): void {
  if (sets.length === 0) return;
  let object = body;
  if (isEventTarget(target)) {
    const { field, subject } = EVENT_TYPES[target];
    const payload = body[field];
    const inner = isObject(payload) ? payload[subject] : undefined;
    if (!isObject(inner)) {
      throw new UsageError(`Cannot apply --set: the event has no ${quote(`${field}.${subject}`)}`);
    }
    object = inner;
  }
  for (const [key, value] of sets) object[key] = value;
}

/**
 * Checks that a value is a JSON object.
 *
 * @param value A parsed `--data` file.
 * @param what How to name it in the error, e.g. `it`.
 * @returns The object.
 * @throws {UsageError} When it is an array, a string, a number or null.
 */
export function expectObject(value: unknown, what: string): JsonObject {
  if (isObject(value)) return value;
  const kind = Array.isArray(value) ? "an array" : value === null ? "null" : `a ${typeof value}`;
  throw new UsageError(`Cannot use --data: ${what} is ${kind}, not a JSON object`);
}

/** A JSON object: not `null`, not an array. */
function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** An envelope has a dotted `type` (flows have `SIGNUP`-style types) or a payload field. */
function isEnvelope(object: JsonObject): boolean {
  if (typeof object.type === "string" && object.type.includes(".")) return true;
  return Object.values(EVENT_TYPES).some(({ field }) => Object.hasOwn(object, field));
}

function describeKeys(object: JsonObject): string {
  const keys = Object.keys(object);
  if (keys.length === 0) return "an empty object";
  const shown = keys.slice(0, 4).map((key) => quote(key)).join(", ");
  return `the keys ${shown}${keys.length > 4 ? ", …" : ""}`;
}

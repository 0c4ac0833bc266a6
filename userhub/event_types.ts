/**
 * The event types this receiver knows, in one table: to support a new UserHub
 * event type, add its payload below and its entry to {@linkcode EVENT_TYPES}
 * (the compiler asks for every field), then its handler file.
 *
 * @module
 */

import { FLOW, MEMBER, ORGANIZATION, SUBSCRIPTION, USER } from "./model_shapes.ts";
import type { Flow, Member, Organization, Subscription, User } from "./models.ts";
import type { Sampler, Wire } from "./sampler.ts";
import type { Shape } from "./_shape.ts";

/** The payload each known event type carries, under its camelCase field. */
export interface EventPayloads {
  /** An organization was created, changed or deleted. */
  "organizations.changed": { organizationsChanged: { organization: Organization } };
  /** A user was created, changed or deleted. */
  "users.changed": { usersChanged: { user: User } };
  /** A member joined, left or changed role in an organization. */
  "members.changed": { membersChanged: { organization: Organization; member: Member } };
  /** A subscription started, renewed, changed plan or ended. */
  "subscriptions.changed": { subscriptionsChanged: { subscription: Subscription } };
  /** An invitation or sign-up flow started, completed or expired. */
  "flows.changed": { flowsChanged: { flow: Flow } };
}

/** The event types this receiver knows the payload of. */
export type EventType = keyof EventPayloads;

/** The camelCase field that carries the payload of an event type. */
export type PayloadField<T extends EventType> = keyof EventPayloads[T] & string;

/** The payload object of an event type, e.g. `{ organization }`. */
export type Payload<T extends EventType> = EventPayloads[T][PayloadField<T>];

/** What this project knows of one event type. */
export interface EventTypeInfo<T extends EventType> {
  /** The field that carries the payload, e.g. `organizationsChanged`. */
  field: PayloadField<T>;
  /** The object inside the payload the event is about; what `deno task send --set` changes. */
  subject: keyof Payload<T> & string;
  /** What happened, for `deno task send --list`. */
  description: string;
  /** What the payload must hold before a handler sees it. */
  payload: Shape<Payload<T>>;
  /** A realistic payload, as it travels in JSON, for tests and `deno task send`. */
  sample: (make: Sampler) => Wire<Payload<T>>;
}

/** Every known event type, in the order the sender lists them. */
export const EVENT_TYPES: { readonly [T in EventType]: EventTypeInfo<T> } = {
  "organizations.changed": {
    field: "organizationsChanged",
    subject: "organization",
    description: "an organization was created, changed or deleted",
    payload: { required: { organization: ORGANIZATION }, optional: {} },
    sample: (make) => ({ organization: make.organization() }),
  },
  "users.changed": {
    field: "usersChanged",
    subject: "user",
    description: "a user was created, changed or deleted",
    payload: { required: { user: USER }, optional: {} },
    sample: (make) => ({ user: make.user() }),
  },
  "members.changed": {
    field: "membersChanged",
    subject: "member",
    description: "a member joined, left or changed role in an organization",
    payload: { required: { organization: ORGANIZATION, member: MEMBER }, optional: {} },
    sample: (make) => ({ organization: make.organization(), member: make.member() }),
  },
  "subscriptions.changed": {
    field: "subscriptionsChanged",
    subject: "subscription",
    description: "a subscription started, renewed, changed plan or ended",
    payload: { required: { subscription: SUBSCRIPTION }, optional: {} },
    sample: (make) => ({ subscription: make.subscription() }),
  },
  "flows.changed": {
    field: "flowsChanged",
    subject: "flow",
    description: "an invitation or sign-up flow started, completed or expired",
    payload: { required: { flow: FLOW }, optional: {} },
    sample: (make) => ({ flow: make.flow() }),
  },
};

/**
 * Tells whether a string names a known event type.
 *
 * @param type An event's `type`.
 * @returns Whether this receiver knows its payload.
 *
 * @example
 * ```ts
 * import { isKnownEventType } from "./event_types.ts";
 *
 * console.assert(isKnownEventType("users.changed") && !isKnownEventType("user.changed"));
 * ```
 */
export function isKnownEventType(type: string): type is EventType {
  return Object.hasOwn(EVENT_TYPES, type);
}

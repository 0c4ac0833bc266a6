/**
 * What the sender can send: the five event types, the challenge and the
 * custom-user actions, each with the `UserHub-Action` it goes out under.
 *
 * @module
 */

import { EVENT_PAYLOAD_FIELDS, type EventType } from "../userhub/event.ts";
import type { UserActionName } from "../userhub/actions.ts";

/** One `<what>` of `deno task send <what>`. */
export type Target = EventType | "challenge" | UserActionName;

/** How one target is sent, and what `--list` says of it. */
export interface TargetInfo {
  /** The `UserHub-Action` header of the call. */
  action: "events.handle" | "challenge" | UserActionName;
  /** One line for `--list`. */
  description: string;
}

/** Every target, in the order `--list` shows them. */
export const TARGETS: { readonly [T in Target]: TargetInfo } = {
  "organizations.changed": {
    action: "events.handle",
    description: "an organization was created, changed or deleted",
  },
  "users.changed": {
    action: "events.handle",
    description: "a user was created, changed or deleted",
  },
  "members.changed": {
    action: "events.handle",
    description: "a member joined, left or changed role in an organization",
  },
  "subscriptions.changed": {
    action: "events.handle",
    description: "a subscription started, renewed, changed plan or ended",
  },
  "flows.changed": {
    action: "events.handle",
    description: "an invitation or sign-up flow started, completed or expired",
  },
  "challenge": {
    action: "challenge",
    description: "the activation check: the server must echo the body",
  },
  "users.list": { action: "users.list", description: "custom user connection: list users" },
  "users.get": { action: "users.get", description: "custom user connection: get one user" },
  "users.create": { action: "users.create", description: "custom user connection: create a user" },
  "users.update": { action: "users.update", description: "custom user connection: update a user" },
  "users.delete": { action: "users.delete", description: "custom user connection: delete a user" },
};

/**
 * Tells whether a string names a target.
 *
 * @param name A `<what>` from the command line.
 * @returns Whether the sender knows it.
 *
 * @example
 * ```ts
 * import { isTarget } from "./targets.ts";
 *
 * console.assert(isTarget("users.changed") && !isTarget("user.changed"));
 * ```
 */
export function isTarget(name: string): name is Target {
  return Object.hasOwn(TARGETS, name);
}

/**
 * Tells whether a target is an event type (sent as `events.handle`).
 *
 * @param target A target.
 * @returns Whether it is one of the event types.
 *
 * @example
 * ```ts
 * import { isEventTarget } from "./targets.ts";
 *
 * console.assert(isEventTarget("flows.changed") && !isEventTarget("challenge"));
 * ```
 */
export function isEventTarget(target: Target): target is EventType {
  return Object.hasOwn(EVENT_PAYLOAD_FIELDS, target);
}

/**
 * What the sender can send: the event types of `EVENT_TYPES`, the challenge
 * and the custom-user actions, each with the `UserHub-Action` it goes out under.
 *
 * @module
 */

import type { EventType } from "../userhub/mod.ts";
import { EVENT_TYPES, type UserActionName } from "../userhub/testing.ts";

/** One `<what>` of `deno task send <what>`. */
export type Target = EventType | "challenge" | UserActionName;

/** How one target is sent, and what `--list` says of it. */
export interface TargetInfo {
  /** The `UserHub-Action` header of the call. */
  action: "events.handle" | "challenge" | UserActionName;
  /** One line for `--list`. */
  description: string;
}

const OTHER_TARGETS = {
  "challenge": {
    action: "challenge",
    description: "the activation check: the server must echo the body",
  },
  "users.list": { action: "users.list", description: "custom user connection: list users" },
  "users.get": { action: "users.get", description: "custom user connection: get one user" },
  "users.create": { action: "users.create", description: "custom user connection: create a user" },
  "users.update": { action: "users.update", description: "custom user connection: update a user" },
  "users.delete": { action: "users.delete", description: "custom user connection: delete a user" },
} as const satisfies { readonly [T in Exclude<Target, EventType>]: TargetInfo };

/** Every target, in the order `--list` shows them: the event types, then the other actions. */
export const TARGETS: { readonly [T in Target]: TargetInfo } = {
  ...Object.fromEntries(
    Object.entries(EVENT_TYPES).map(([type, { description }]) => [
      type,
      { action: "events.handle", description },
    ]),
  ) as { readonly [T in EventType]: TargetInfo },
  ...OTHER_TARGETS,
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
  return Object.hasOwn(EVENT_TYPES, target);
}

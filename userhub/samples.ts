/**
 * Sample bodies that look like real UserHub calls, for tests and
 * `deno task send`: the payload of each event type, and the body of a
 * challenge and of each custom-user action.
 *
 * @module
 */

import type { UserActionName, UserActions } from "./users.ts";
import { EVENT_TYPES, type EventType, type EventTypeTable, type Payload } from "./events.ts";
import { newId } from "./_ids.ts";
import type { CustomUser } from "./models.ts";
import { Sampler, type SamplerOptions, type Wire } from "./_sampler.ts";

export type { SamplerOptions, Wire } from "./_sampler.ts";

/** The payload a known event type carries under its camelCase field, as it travels in JSON. */
export type PayloadOf<T extends EventType> = Wire<Payload<T>>;

/** The body of a call that is not an event. */
export type RequestOf<A extends "challenge" | UserActionName> = A extends UserActionName
  ? UserActions[A]["input"]
  : { challenge: string };

/**
 * Makes the payload of one event type, with fresh ids.
 *
 * @param type The event type.
 * @param now The time the event is about; the current time by default.
 * @param options A seed, for the same ids on every run.
 * @returns The object that goes under the type's payload field, e.g.
 * `{ organization }` for `organizations.changed`.
 *
 * @example
 * ```ts
 * import { samplePayload } from "./samples.ts";
 *
 * const { organization } = samplePayload("organizations.changed");
 * console.assert(organization.id.startsWith("org_"));
 * ```
 */
export function samplePayload<T extends EventType>(
  type: T,
  now: Date = new Date(),
  options: SamplerOptions = {},
): PayloadOf<T> {
  const table: EventTypeTable = EVENT_TYPES;
  return table[type].sample(new Sampler(now, options));
}

/**
 * Makes the body of a challenge or a custom-user action, as UserHub sends it.
 *
 * @param action `challenge` or a `users.*` action.
 * @returns The request body: a fresh challenge string, `{ pageSize: 10 }`
 * for `users.list`, a `CustomUser` for `users.create` and `users.update`,
 * `{ id }` for `users.get` and `users.delete`. All five are about the same
 * user, {@linkcode SAMPLE_USER_ID}: create, get, update and delete it in
 * turn, and a directory answers each with 2xx.
 *
 * @example
 * ```ts
 * import { sampleRequest } from "./samples.ts";
 *
 * console.assert(sampleRequest("users.list").pageSize === 10);
 * ```
 */
export function sampleRequest<A extends "challenge" | UserActionName>(action: A): RequestOf<A> {
  const requests: { [K in "challenge" | UserActionName]: () => RequestOf<K> } = {
    "challenge": () => ({ challenge: newId("") }),
    "users.list": () => ({ pageSize: 10 }),
    "users.get": () => ({ id: SAMPLE_USER_ID }),
    "users.create": () => customUser(SAMPLE_USER_ID),
    "users.update": () => ({ ...customUser(SAMPLE_USER_ID), displayName: "Jane Q. Doe" }),
    "users.delete": () => ({ id: SAMPLE_USER_ID }),
  };
  return requests[action]() as RequestOf<A>;
}

/** The id, in the app's own user store, of the user the sample `users.*` calls are about. */
export const SAMPLE_USER_ID = "user-1001";

function customUser(id: string): CustomUser {
  return {
    id,
    displayName: "Jane Doe",
    email: "jane@acme.example",
    emailVerified: true,
    phoneNumber: "+14155550178",
    phoneNumberVerified: false,
    imageUrl: "https://acme.example/avatars/jane.png",
    disabled: false,
  };
}

/**
 * The actions UserHub asks of a custom user connection, with their bodies.
 *
 * @module
 */

import type { CustomUser } from "./models.ts";

/** Input and output of each `users.*` action. */
export interface UserActions {
  "users.list": {
    input: { pageSize: number; pageToken?: string };
    output: { users: CustomUser[]; nextPageToken?: string };
  };
  "users.get": { input: { id: string }; output: CustomUser };
  "users.create": { input: CustomUser; output: CustomUser };
  "users.update": { input: CustomUser; output: CustomUser };
  "users.delete": { input: { id: string }; output: Record<string, never> };
}

/** The name of a custom user connection action. */
export type UserActionName = keyof UserActions;

/** The `challenge` action's body, and what it answers by default. */
export interface Challenge {
  challenge: string;
}

/**
 * The actions UserHub asks of an app that is its user directory (a custom
 * user connection), with their request and result bodies, and the
 * `challenge` body.
 *
 * @module
 */

import type { CustomUser } from "./models.ts";

/** The body of `users.list`: one page of users, ordered as the directory likes. */
export interface ListUsersRequest {
  /** The most users to return: a whole number from 1 to 1000. */
  pageSize: number;
  /** Where to go on: the `nextPageToken` of the page before; absent for the first page. */
  pageToken?: string;
}

/** The answer to `users.list`. */
export interface ListUsersResult {
  /** The users of this page. */
  users: CustomUser[];
  /** Passed back as `pageToken` for the next page; absent on the last page. */
  nextPageToken?: string;
}

/** The body of `users.get` and `users.delete`. */
export interface UserIdRequest {
  /** The user's id in the app's own user store. */
  id: string;
}

/** Input and output of each `users.*` action. */
export interface UserActions {
  /** Lists the users, a page at a time. */
  "users.list": { input: ListUsersRequest; output: ListUsersResult };
  /** Gets one user. */
  "users.get": { input: UserIdRequest; output: CustomUser };
  /** Creates a user, answering it as stored. */
  "users.create": { input: CustomUser; output: CustomUser };
  /** Replaces a user, answering it as stored. */
  "users.update": { input: CustomUser; output: CustomUser };
  /** Deletes a user; the answer is `{}`. */
  "users.delete": { input: UserIdRequest; output: void | Record<string, never> };
}

/** The name of a custom user connection action. */
export type UserActionName = keyof UserActions;

/** The `challenge` action's body, and what it answers by default. */
export interface Challenge {
  /** A random text the answer must carry back. */
  challenge: string;
}

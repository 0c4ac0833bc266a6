/**
 * An app as UserHub's user directory (a custom user connection): the
 * provider it implements, and the checks around it. A request is checked
 * before the provider runs (a bad one is a 400 naming the field), and a
 * result before it is sent (a bad one is a 500 and a logged bug, never a
 * malformed answer to UserHub).
 *
 * @module
 */

import { WebhookError } from "./errors.ts";
import { isObject } from "./_json.ts";
import { CUSTOM_USER_SHAPE, type CustomUser } from "./models.ts";
import { problemWith } from "./_shape.ts";

/**
 * The five functions of a user directory. Each may return its answer or a
 * promise (or any thenable) of it. Throw {@linkcode UserNotFoundError} for a
 * user that does not exist, or a `WebhookError` with another UserHub code
 * (`ALREADY_EXISTS`, `INVALID_ARGUMENT`, `FAILED_PRECONDITION`,
 * `RESOURCE_EXHAUSTED`, `UNIMPLEMENTED`): it is answered with its status.
 * Anything else thrown is a 500, reported to `onError`.
 */
export interface CustomUserProvider {
  /** `users.list`: one page of users, and the token of the next page if there is one. */
  listUsers(request: ListUsersRequest): ListUsersResult | PromiseLike<ListUsersResult>;
  /** `users.get`: one user. */
  getUser(request: UserIdRequest): CustomUser | PromiseLike<CustomUser>;
  /** `users.create`: stores a new user, answers it as stored. */
  createUser(user: CustomUser): CustomUser | PromiseLike<CustomUser>;
  /** `users.update`: replaces a user, answers it as stored. */
  updateUser(user: CustomUser): CustomUser | PromiseLike<CustomUser>;
  /** `users.delete`: deletes a user. */
  deleteUser(request: UserIdRequest): unknown;
}

/**
 * The answer for a user that does not exist: 404
 * `{"message":"User not found","code":"NOT_FOUND"}`.
 *
 * @example
 * ```ts
 * import { UserNotFoundError } from "./users.ts";
 *
 * console.assert(new UserNotFoundError().status === 404);
 * ```
 */
export class UserNotFoundError extends WebhookError {
  /** The contract's answer for an unknown user. */
  constructor() {
    super("NOT_FOUND", "User not found");
    this.name = "UserNotFoundError";
  }
}

/** How an action's request is read before its handler runs, and its result checked after. */
export interface ActionContract<I, O> {
  /** The request, checked; throws a 400 `WebhookError` naming what is wrong. */
  read(input: unknown): I;
  /** The result as it is sent; throws an `Error` (a bug of the handler) naming what is wrong. */
  check(result: unknown): O;
}

/** The contract of each `users.*` action. */
export const USER_ACTION_CONTRACTS: {
  readonly [A in UserActionName]: ActionContract<UserActions[A]["input"], UserActions[A]["output"]>;
} = {
  "users.list": { read: readListRequest, check: checkList },
  "users.get": { read: (input) => readUserId("users.get", input), check: checkUser("users.get") },
  "users.create": {
    read: (input) => readUser("users.create", input),
    check: checkUser("users.create"),
  },
  "users.update": {
    read: (input) => readUser("users.update", input),
    check: checkUser("users.update"),
  },
  "users.delete": {
    read: (input) => readUserId("users.delete", input),
    check: () => ({}),
  },
};

/** The largest page `users.list` may ask for. */
const MAX_PAGE_SIZE = 1000;

function readListRequest(input: unknown): ListUsersRequest {
  if (!isObject(input)) throw invalid("users.list", "the body is not an object");
  const { pageSize, pageToken } = input;
  if (
    typeof pageSize !== "number" || !Number.isInteger(pageSize) || pageSize < 1 ||
    pageSize > MAX_PAGE_SIZE
  ) {
    throw invalid("users.list", `"pageSize" is not a whole number from 1 to ${MAX_PAGE_SIZE}`);
  }
  if (pageToken === undefined || pageToken === null || pageToken === "") return { pageSize };
  if (typeof pageToken !== "string") throw invalid("users.list", '"pageToken" is not a string');
  return { pageSize, pageToken };
}

function readUserId(action: string, input: unknown): UserIdRequest {
  if (!isObject(input) || typeof input.id !== "string" || input.id === "") {
    throw invalid(action, '"id" is not a non-empty string');
  }
  return { id: input.id };
}

function readUser(action: string, input: unknown): CustomUser {
  if (!isObject(input)) throw invalid(action, "the body is not an object");
  const user = customUserFields(input);
  const problem = userProblem(user, "");
  if (problem !== undefined) throw invalid(action, problem);
  return user as CustomUser;
}

function checkUser(action: string): (result: unknown) => CustomUser {
  return (result) => {
    if (!isObject(result)) throw new Error(`${action} returned an invalid user: not an object`);
    const user = customUserFields(result);
    const problem = userProblem(user, "");
    if (problem !== undefined) throw new Error(`${action} returned an invalid user: ${problem}`);
    return user as CustomUser;
  };
}

function checkList(result: unknown): ListUsersResult {
  if (!isObject(result) || !Array.isArray(result.users)) {
    throw new Error('users.list returned an invalid result: "users" is not a list');
  }
  const users = result.users.map(customUserFields);
  for (const [i, user] of users.entries()) {
    const problem = userProblem(user, `users.${i}`);
    if (problem !== undefined) throw new Error(`users.list returned an invalid user: ${problem}`);
  }
  const token = result.nextPageToken;
  if (token === undefined || token === null || token === "") return { users } as ListUsersResult;
  if (typeof token !== "string") {
    throw new Error('users.list returned an invalid result: "nextPageToken" is not a string');
  }
  return { users, nextPageToken: token } as ListUsersResult;
}

/** What is wrong with a user, if anything: its shape, or an empty id. */
function userProblem(user: unknown, path: string): string | undefined {
  const problem = problemWith(user, CUSTOM_USER_SHAPE, path);
  if (problem !== undefined || (user as CustomUser).id !== "") return problem;
  return `"${path === "" ? "id" : `${path}.id`}" is empty`;
}

/**
 * A copy holding only the fields of a `CustomUser`: what a directory keeps
 * of a request, and all it answers (a stored row's other columns stay home).
 */
function customUserFields(value: unknown): unknown {
  if (!isObject(value)) return value;
  const user: Record<string, unknown> = {};
  for (const field of USER_FIELDS) if (Object.hasOwn(value, field)) user[field] = value[field];
  return user;
}

const USER_FIELDS = [
  ...Object.keys(CUSTOM_USER_SHAPE.required),
  ...Object.keys(CUSTOM_USER_SHAPE.optional),
];

function invalid(action: string, problem: string): WebhookError {
  return new WebhookError("INVALID_ARGUMENT", `Cannot run ${action}: ${problem}`);
}

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

/**
 * An example user directory backed by Deno KV, to show the shape of a
 * provider: replace it with your own user store. It is not a directory to run
 * in production: every user lives in one KV key space, and nothing but the
 * contract's own rules is checked. Point `handlers/custom_users.ts` at
 * {@linkcode customUsers} below to try it.
 *
 * @module
 */

import {
  type CustomUser,
  type CustomUserProvider,
  type ListUsersRequest,
  type ListUsersResult,
  type UserIdRequest,
  UserNotFoundError,
  WebhookError,
} from "../userhub/mod.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const MAX_ID_BYTES = 1024;

/**
 * Users stored by id under one key prefix; listed in the order of their ids,
 * a page at a time. A page token names the last id of its page, so paging
 * survives inserts and deletes between pages: every user present throughout
 * is listed exactly once.
 *
 * @example
 * ```ts
 * import { KvUserDirectory } from "./kv_user_directory.ts";
 *
 * const kv = await Deno.openKv(":memory:");
 * const directory = new KvUserDirectory(kv);
 * await directory.createUser({ id: "user-1", displayName: "Jane Doe" });
 * console.assert((await directory.getUser({ id: "user-1" })).displayName === "Jane Doe");
 * kv.close();
 * ```
 */
export class KvUserDirectory implements CustomUserProvider {
  readonly #kv: Deno.Kv;
  readonly #prefix: Deno.KvKey;

  /**
   * Keeps the users in a KV store.
   * @param kv An open Deno KV store.
   * @param prefix The first parts of every user's key; `["example_users"]` by default.
   */
  constructor(kv: Deno.Kv, prefix: Deno.KvKey = ["example_users"]) {
    this.#kv = kv;
    this.#prefix = prefix;
  }

  /**
   * One page of users, ordered by id.
   * @param request The page size, and the token of the page before.
   * @returns The users, and the next page's token unless this page is the last.
   */
  async listUsers({ pageSize, pageToken }: ListUsersRequest): Promise<ListUsersResult> {
    const after = pageToken === undefined ? undefined : readToken(pageToken);
    const selector = after === undefined
      ? { prefix: this.#prefix }
      : { prefix: this.#prefix, start: [...this.#prefix, after] };
    const users: CustomUser[] = [];
    // One more than a page tells whether another page follows; `start` itself may be listed.
    for await (const entry of this.#kv.list<CustomUser>(selector, { limit: pageSize + 2 })) {
      if (entry.key.at(-1) === after) continue;
      if (users.length === pageSize) return { users, nextPageToken: token(users.at(-1)!.id) };
      users.push(entry.value);
    }
    return { users };
  }

  /**
   * One user.
   * @param request The user's id.
   * @returns The user.
   * @throws {UserNotFoundError} When there is none with that id.
   */
  async getUser({ id }: UserIdRequest): Promise<CustomUser> {
    const entry = await this.#kv.get<CustomUser>(this.#key(id));
    if (entry.value === null) throw new UserNotFoundError();
    return entry.value;
  }

  /**
   * Stores a new user.
   * @param user The user.
   * @returns The user as stored.
   * @throws {WebhookError} `ALREADY_EXISTS` (400) when a user has that id.
   */
  async createUser(user: CustomUser): Promise<CustomUser> {
    const key = this.#key(user.id);
    const result = await this.#kv.atomic().check({ key, versionstamp: null }).set(key, user)
      .commit();
    if (!result.ok) {
      throw new WebhookError("ALREADY_EXISTS", `User ${JSON.stringify(user.id)} already exists`);
    }
    return user;
  }

  /**
   * Replaces a user.
   * @param user The user, as it is to be stored.
   * @returns The user as stored.
   * @throws {UserNotFoundError} When there is none with that id.
   */
  async updateUser(user: CustomUser): Promise<CustomUser> {
    const key = this.#key(user.id);
    const entry = await this.#kv.get(key);
    if (entry.value === null) throw new UserNotFoundError();
    const result = await this.#kv.atomic().check(entry).set(key, user).commit();
    // Changed or deleted since it was read: answer as if that came first.
    if (!result.ok) return await this.updateUser(user);
    return user;
  }

  /**
   * Deletes a user.
   * @param request The user's id.
   * @throws {UserNotFoundError} When there is none with that id.
   */
  async deleteUser({ id }: UserIdRequest): Promise<void> {
    const key = this.#key(id);
    const entry = await this.#kv.get(key);
    if (entry.value === null) throw new UserNotFoundError();
    const result = await this.#kv.atomic().check(entry).delete(key).commit();
    if (!result.ok) await this.deleteUser({ id });
  }

  #key(id: string): Deno.KvKey {
    // Deno KV refuses keys over 2 KiB; refuse such an id before it does.
    if (encoder.encode(id).length > MAX_ID_BYTES) {
      throw new WebhookError("INVALID_ARGUMENT", `"id" is longer than ${MAX_ID_BYTES} bytes`);
    }
    return [...this.#prefix, id];
  }
}

/** An opaque page token: the last id of the page, in base64url. */
function token(lastId: string): string {
  return encoder.encode(JSON.stringify({ after: lastId })).toBase64({ alphabet: "base64url" });
}

function readToken(text: string): string {
  try {
    const bytes = Uint8Array.fromBase64(text, { alphabet: "base64url" });
    const value = JSON.parse(decoder.decode(bytes));
    if (typeof value?.after === "string") return value.after;
  } catch {
    // Not a token of ours: refused below.
  }
  throw new WebhookError(
    "INVALID_ARGUMENT",
    'Cannot run users.list: "pageToken" is not a token from this directory',
  );
}

let opened: Promise<KvUserDirectory> | undefined;

/** The example directory in the server's Deno KV (`KV_PATH`, or Deno's default location), opened on first use. */
function directory(): Promise<KvUserDirectory> {
  opened ??= Deno.openKv(Deno.env.get("KV_PATH") || undefined).then((kv) =>
    new KvUserDirectory(kv)
  );
  return opened;
}

/**
 * The example, ready to try: point `handlers/custom_users.ts` at it with
 * `export { customUsers } from "../examples/kv_user_directory.ts";`.
 */
export const customUsers: CustomUserProvider = {
  listUsers: async (request) => await (await directory()).listUsers(request),
  getUser: async (request) => await (await directory()).getUser(request),
  createUser: async (user) => await (await directory()).createUser(user),
  updateUser: async (user) => await (await directory()).updateUser(user),
  deleteUser: async (request) => await (await directory()).deleteUser(request),
};

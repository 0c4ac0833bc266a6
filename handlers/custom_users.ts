import type { CustomUserProvider } from "../userhub/mod.ts";

/**
 * Your app as UserHub's user directory (a "custom user connection"): UserHub
 * then lists, gets, creates, updates and deletes your users through the
 * `users.*` actions. Off by default, and then those actions answer 501, the
 * right answer for an app that is not a directory.
 *
 * To switch it on, make this an object with the five functions, reading and
 * writing your own user store, e.g.:
 *
 * ```ts ignore
 * export const customUsers: CustomUserProvider = {
 *   async listUsers({ pageSize, pageToken }) { ... return { users, nextPageToken }; },
 *   async getUser({ id }) { ... throw new UserNotFoundError(); },
 *   async createUser(user) { ... return user; },
 *   async updateUser(user) { ... return user; },
 *   async deleteUser({ id }) { ... },
 * };
 * ```
 *
 * `examples/kv_user_directory.ts` is a complete one over Deno KV. To try it,
 * replace the line below with
 * `export { customUsers } from "../examples/kv_user_directory.ts";`.
 */
export const customUsers: CustomUserProvider | undefined = undefined;

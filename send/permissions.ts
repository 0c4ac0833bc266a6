/**
 * Permissions the sender asks for at run time, for exactly what it needs:
 * the network host of a `--url` beyond the loopback hosts the task grants,
 * and the one `--data` file it reads. In a terminal Deno shows a prompt
 * naming the host or file; elsewhere the request is denied and the sender
 * says how to grant it.
 *
 * @module
 */

import { UsageError } from "./usage_error.ts";

/** The part of `Deno.permissions` the sender uses; a stand-in in tests. */
export type Permissions = Pick<Deno.Permissions, "query" | "request">;

const RUN = "deno run --allow-env=SIGNING_SECRET,PORT";

/**
 * Makes sure the sender may connect to the URL's host and port.
 *
 * @param url The target.
 * @param permissions `Deno.permissions` by default.
 * @throws {UsageError} When the permission is denied.
 *
 * @example
 * ```ts ignore
 * import { ensureNet } from "./permissions.ts";
 *
 * await ensureNet(new URL("https://hooks.example.com/webhook"));
 * ```
 */
export async function ensureNet(url: URL, permissions: Permissions = Deno.permissions) {
  const host = `${url.hostname}:${url.port || (url.protocol === "https:" ? "443" : "80")}`;
  if (await allowed({ name: "net", host }, permissions)) return;
  throw new UsageError(
    `No network permission for ${JSON.stringify(host)}: the send task only reaches this ` +
      `machine (127.0.0.1, localhost, [::1]); answer Deno's prompt in a terminal, or run ` +
      `${RUN} --allow-net=${host} send/cli.ts ...`,
  );
}

/**
 * Makes sure the sender may read a `--data` file.
 *
 * @param path The file.
 * @param permissions `Deno.permissions` by default.
 * @throws {UsageError} When the permission is denied.
 *
 * @example
 * ```ts ignore
 * import { ensureRead } from "./permissions.ts";
 *
 * await ensureRead("event.json");
 * ```
 */
export async function ensureRead(path: string, permissions: Permissions = Deno.permissions) {
  if (await allowed({ name: "read", path }, permissions)) return;
  throw new UsageError(
    `No permission to read --data ${JSON.stringify(path)}: answer Deno's prompt in a ` +
      `terminal, pipe the file instead (--data - < ${path}), or run ` +
      `${RUN} --allow-net=127.0.0.1 --allow-read=${path} send/cli.ts ...`,
  );
}

async function allowed(
  descriptor: Deno.PermissionDescriptor,
  permissions: Permissions,
): Promise<boolean> {
  const status = await permissions.query(descriptor);
  if (status.state === "granted") return true;
  if (status.state === "denied") return false;
  return (await permissions.request(descriptor)).state === "granted";
}

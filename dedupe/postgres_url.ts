/**
 * The URL of a PostgreSQL store, as `DEDUPE_STORE` gives it: checked before
 * anything connects, and shown in messages with its password hidden.
 *
 * @module
 */

/** What a PostgreSQL URL must look like, for messages. */
export const POSTGRES_URL_FORM = "postgres://user:password@host:5432/database";

/**
 * Hides the password of a connection URL, even of one that does not parse:
 * everything between the first `:` of the user info and its last `@` becomes
 * `***`. It hides too much rather than too little when an `@` follows in the
 * path or the query.
 *
 * @param text A URL, valid or not.
 * @returns The text with its password replaced.
 *
 * @example
 * ```ts
 * import { redactUrl } from "./postgres_url.ts";
 *
 * const shown = redactUrl("postgres://app:s3cr@t@db:5432/hooks");
 * console.assert(shown === "postgres://app:***@db:5432/hooks");
 * ```
 */
export function redactUrl(text: string): string {
  const hidden = text.replace(PASSWORD_PARAMETER, "$1***");
  const scheme = hidden.indexOf("://");
  const start = scheme === -1 ? 0 : scheme + 3;
  const at = hidden.lastIndexOf("@");
  if (at < start) return hidden;
  const colon = hidden.indexOf(":", start);
  if (colon === -1 || colon > at) return hidden;
  return `${hidden.slice(0, colon + 1)}***${hidden.slice(at)}`;
}

/** A password given as a query parameter (`?password=`, `&sslpassword=`), up to the next `&` or `#`. */
const PASSWORD_PARAMETER = /([?&](?:ssl)?password=)[^&#]*/gi;

/**
 * Checks that a text is a PostgreSQL URL this store can use: scheme
 * `postgres:` or `postgresql:`, a host, a port from 1 to 65535 if any, and a
 * user name (a server picks no user by itself here).
 *
 * @param text The URL.
 * @returns What is wrong with it, in a few words, or `undefined` when it is fine.
 *
 * @example
 * ```ts
 * import { postgresUrlProblem } from "./postgres_url.ts";
 *
 * console.assert(postgresUrlProblem("postgres://app:pw@db:5432/hooks") === undefined);
 * console.assert(postgresUrlProblem("mysql://app@db/hooks") === 'the scheme is not "postgres://"');
 * ```
 */
export function postgresUrlProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return "it does not parse as a URL";
  }
  if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") {
    return 'the scheme is not "postgres://"';
  }
  if (!text.slice(url.protocol.length).startsWith("//") || url.hostname === "") {
    return "it names no host";
  }
  if (url.port !== "" && Number(url.port) === 0) return "the port is not from 1 to 65535";
  if (url.username === "") return "it names no user";
  for (const [name, least, most] of [["max", 1, 100], ["connect_timeout", 1, 3600]] as const) {
    const value = url.searchParams.get(name);
    if (value === null) continue;
    if (!/^\d+$/.test(value) || Number(value) < least || Number(value) > most) {
      return `?${name}= is not a whole number from ${least} to ${most}`;
    }
  }
  return undefined;
}

/**
 * The password of a URL, decoded, so that it can be kept out of an error
 * message whatever the message quotes.
 *
 * @param text The URL.
 * @returns The password, or `""` when there is none or the URL does not parse.
 */
export function urlPassword(text: string): string {
  try {
    const url = new URL(text);
    const password = url.password || url.searchParams.get("password") || "";
    try {
      return decodeURIComponent(password);
    } catch {
      return password;
    }
  } catch {
    return "";
  }
}

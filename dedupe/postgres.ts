/**
 * The duplicate check in PostgreSQL, chosen with `DEDUPE_STORE`:
 * {@linkcode openPostgresGuard} connects, checks the credentials, creates the
 * tables of `schema.sql` when missing, and answers any failure with one line
 * that never shows the password.
 *
 * The client, `npm:postgres`, is loaded only here, and only when this store
 * is chosen: its specifier is a variable, so Deno does not fetch it ahead of
 * time for a server that keeps its records in Deno KV.
 *
 * @module
 */

import type postgres from "postgres";
import process from "node:process";
import schema from "./schema.sql" with { type: "text" };
import { PostgresDeliveryGuard, type PostgresDeliveryGuardOptions } from "./_postgres_store.ts";
import type { Sql } from "./_postgres_store.ts";
import { POSTGRES_URL_FORM, postgresUrlProblem, redactUrl, urlPassword } from "./postgres_url.ts";

export { PostgresDeliveryGuard, type PostgresDeliveryGuardOptions, type Sql };

/** Where the client comes from: the `postgres` entry of deno.json's imports. */
const CLIENT: string = "postgres";

/** Options of {@linkcode connectPostgres}. */
export interface ConnectOptions {
  /**
   * The most connections of the pool; the URL's `?max=`, else 4. Each
   * pipelines its statements; more connections let more commits share a
   * disk flush, but cost the database a process each.
   */
  max?: number;
  /** Seconds to wait for a connection before a statement fails; the URL's `?connect_timeout=`, else 5. */
  connectTimeout?: number;
  /** Told of every statement sent, e.g. to count round trips in tests. */
  debug?: (connection: number, query: string) => void;
}

/**
 * Opens a pool of connections (lazily: nothing connects before the first
 * statement). The client reads only the URL and these options: the `PG*`
 * variables of the environment are hidden from it, so that a server needs
 * `--allow-env` for `DEDUPE_STORE` alone, and nothing but the URL decides
 * where it connects. After a failure it tries again within a second.
 *
 * @param url A `postgres://` or `postgresql://` URL.
 * @param options Pool size, connect timeout, statement log.
 * @returns The pool; end it with `sql.end()`.
 */
export async function connectPostgres(url: string, options: ConnectOptions = {}): Promise<Sql> {
  const { default: connect } = await import(CLIENT) as { default: typeof postgres };
  const query = new URL(url).searchParams;
  const sql = withoutEnvironment(() =>
    connect(url, {
      max: options.max ?? (query.has("max") ? Number(query.get("max")) : 4),
      connect_timeout: options.connectTimeout ??
        (query.has("connect_timeout") ? Number(query.get("connect_timeout")) : 5),
      backoff: (attempts: number) => Math.min(0.05 * 2 ** attempts, 1),
      fetch_types: false,
      onnotice: () => {},
      connection: { application_name: "userhub-webhooks" },
      ...(options.debug && { debug: options.debug }),
    })
  );
  // Never look for a ~/.pgpass file: the URL carries the password.
  (sql.options as unknown as { passfile: string | null }).passfile = null;
  return sql;
}

/**
 * Runs `create` with `process.env` empty but for a marker that stops the
 * client asking for the home directory. The client reads the `PG*`
 * variables, synchronously, only while it parses its options.
 */
function withoutEnvironment<T>(create: () => T): T {
  const descriptor = Object.getOwnPropertyDescriptor(process, "env");
  Object.defineProperty(process, "env", {
    value: { PGPASSFILE: "(none)" },
    configurable: true,
    writable: true,
  });
  try {
    return create();
  } finally {
    if (descriptor) Object.defineProperty(process, "env", descriptor);
  }
}

/** A store that cannot be opened; its message is one line, without the password. */
export class StoreOpenError extends Error {
  /** @param message What is wrong and, after a colon, why. */
  constructor(message: string) {
    super(message);
    this.name = "StoreOpenError";
  }
}

/** Options of {@linkcode openPostgresGuard}. */
export interface OpenPostgresOptions extends PostgresDeliveryGuardOptions, ConnectOptions {
  /** How messages name the URL, e.g. `DEDUPE_STORE`; `PostgreSQL` by default. */
  label?: string;
}

/**
 * Connects to PostgreSQL, checks that it answers and accepts the
 * credentials, creates the tables when missing (under an advisory lock, so
 * that servers starting together do not race), and returns the guard. Its
 * `close()` ends the pool.
 *
 * @param url A `postgres://` or `postgresql://` URL, with user and password.
 * @param options The guard's and the pool's options, and the URL's label.
 * @returns The guard.
 * @throws {StoreOpenError} When the URL is malformed, the server does not
 * answer, refuses the credentials, or the tables cannot be created.
 */
export async function openPostgresGuard(
  url: string,
  options: OpenPostgresOptions = {},
): Promise<PostgresDeliveryGuard> {
  const where = `${options.label ?? "PostgreSQL"} ${JSON.stringify(redactUrl(url))}`;
  const problem = postgresUrlProblem(url);
  if (problem !== undefined) {
    throw new StoreOpenError(
      `${where} is not a valid PostgreSQL URL: ${problem} (use ${POSTGRES_URL_FORM})`,
    );
  }
  let sql: Sql;
  try {
    sql = await connectPostgres(url, options);
  } catch (error) {
    throw new StoreOpenError(
      `Cannot set up the client for ${where}: ${oneLine(error, urlPassword(url))}`,
    );
  }
  const failed = async (what: string, error: unknown) => {
    await sql.end({ timeout: 1 }).catch(() => {});
    return new StoreOpenError(`${what} ${where}: ${oneLine(error, urlPassword(url))}`);
  };
  try {
    await sql`SELECT 1`;
  } catch (error) {
    throw await failed("Cannot connect to", error);
  }
  try {
    await sql.begin(async (tx) => {
      await tx`SELECT pg_advisory_xact_lock(hashtext('userhub_dedupe schema'))`;
      await tx.unsafe(schema);
    });
  } catch (error) {
    throw await failed("Cannot create the duplicate check's tables in", error);
  }
  return new PostgresDeliveryGuard(sql, {
    flights: sql.options.max, // As many statements in flight as the pool has connections.
    ...options,
    onClose: () => sql.end({ timeout: 5 }),
  });
}

/** An error as one line, the password (plain or URL-encoded) replaced with `***`. */
function oneLine(error: unknown, password: string): string {
  let text = error instanceof Error ? error.message : String(error);
  text = text.split("\n")[0]!.trim() || (error instanceof Error ? error.name : "unknown error");
  if (password !== "") {
    for (const form of new Set([password, encodeURIComponent(password)])) {
      text = text.replaceAll(form, "***");
    }
  }
  return text;
}

/**
 * The server's configuration, read from environment variables.
 *
 * @module
 */

import { POSTGRES_URL_FORM, postgresUrlProblem, redactUrl } from "./dedupe/postgres_url.ts";
import { parseSecrets } from "./userhub/mod.ts";

/** What the server needs to run. */
export interface Config {
  /** The signing secrets; a call signed with any of them verifies. */
  secrets: string[];
  /** The TCP port; 0 lets the system pick one. */
  port: number;
  /** The interface to listen on (`HOSTNAME`); every interface when absent. */
  hostname?: string;
  /** `false` when `DEDUPE=off`: every delivery runs its handler. Checked when absent. */
  dedupe?: boolean;
  /** Where Deno KV keeps the record (`KV_PATH`); Deno's default location when absent. */
  kvPath?: string;
  /**
   * `DEDUPE_STORE`: a `postgres://` (or `postgresql://`) URL, password
   * included. When set, the duplicate check keeps its records in that
   * PostgreSQL database instead of Deno KV.
   */
  dedupeStore?: string;
  /**
   * `true` when `DEV_CONSOLE=on`, which only the `dev` task sets: the
   * delivery console at `/_console` records every call.
   */
  console?: true;
}

/** A configuration mistake the operator can fix; its message is one line. */
export class ConfigError extends Error {
  /** @param message What is wrong and how to fix it. */
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/** Where variables come from: `Deno.env`, or a `Map` in tests. */
export interface Environment {
  /** The variable's value, or `undefined` when it is not set. */
  get(name: string): string | undefined;
}

/**
 * Reads `SIGNING_SECRET` (required; several secrets may be separated by
 * commas or whitespace), `PORT` (8000 by default), `HOSTNAME` (every
 * interface by default), `DEDUPE` (`on` by default, or `off`), `KV_PATH` (a
 * file for Deno KV; Deno's default location when unset), `DEDUPE_STORE` (a
 * PostgreSQL URL for the duplicate check; Deno KV when unset) and `DEV_CONSOLE`
 * (`off` by default, `on` in the `dev` task). Only the variables set away
 * from their default appear in the result.
 *
 * @param env The variables.
 * @returns The configuration.
 * @throws {ConfigError} When a variable is missing or invalid.
 *
 * @example
 * ```ts
 * import { loadConfig } from "./config.ts";
 *
 * const config = loadConfig(new Map([["SIGNING_SECRET", "whsec_a,whsec_b"]]));
 * console.assert(config.port === 8000 && config.secrets.length === 2);
 * ```
 */
export function loadConfig(env: Environment): Config {
  const read = (name: string) => readIfAllowed(env, name);
  const secrets = parseSecrets(read("SIGNING_SECRET") ?? "");
  if (secrets.length === 0) {
    throw new ConfigError(
      "SIGNING_SECRET required: copy the webhook's signing secret from the UserHub Admin console " +
        "into SIGNING_SECRET (for local runs, a line SIGNING_SECRET=... in .env)",
    );
  }
  const config: Config = { secrets, port: parsePort(read("PORT")) };
  const hostname = read("HOSTNAME")?.trim();
  if (hostname) config.hostname = hostname;
  if (!parseSwitch("DEDUPE", read("DEDUPE"), true)) config.dedupe = false;
  const kvPath = parseKvPath(read("KV_PATH"));
  if (kvPath !== undefined) config.kvPath = kvPath;
  const dedupeStore = parseDedupeStore(read("DEDUPE_STORE"));
  if (dedupeStore !== undefined) config.dedupeStore = dedupeStore;
  if (parseSwitch("DEV_CONSOLE", read("DEV_CONSOLE"), false)) config.console = true;
  return config;
}

function parsePort(value: string | undefined): number {
  if (value === undefined || value.trim() === "") return 8000;
  const port = portNumber(value);
  if (port === undefined) {
    throw new ConfigError(
      `PORT ${JSON.stringify(value)} is not a valid port: use a number from 0 to 65535`,
    );
  }
  return port;
}

/**
 * Reads a TCP port number: decimal digits, surrounding blanks ignored, 0 to 65535.
 *
 * @param text The text, e.g. the value of `PORT`.
 * @returns The port, or `undefined` when the text is not one.
 *
 * @example
 * ```ts
 * import { portNumber } from "./config.ts";
 *
 * console.assert(portNumber(" 8000 ") === 8000 && portNumber("80a") === undefined);
 * ```
 */
export function portNumber(text: string): number | undefined {
  const digits = text.trim();
  if (!/^\d+$/.test(digits) || Number(digits) > 65535) return undefined;
  return Number(digits);
}

/** An `on`/`off` variable, in any case, blanks ignored; unset or empty is its default. */
function parseSwitch(name: string, value: string | undefined, byDefault: boolean): boolean {
  const text = value?.trim().toLowerCase() ?? "";
  if (text === "") return byDefault;
  if (text === "on" || text === "off") return text === "on";
  const choices = byDefault ? '"on" (the default) or "off"' : '"on" or "off"';
  throw new ConfigError(`${name} ${JSON.stringify(value)} is not valid: use ${choices}`);
}

/**
 * A variable, or `undefined` when the process may not read it: a task's
 * `--allow-env` that leaves one out (only the `dev` task reads `DEV_CONSOLE`)
 * leaves it unset, rather than stopping the server with a stack trace.
 */
function readIfAllowed(env: Environment, name: string): string | undefined {
  try {
    return env.get(name);
  } catch (error) {
    if (error instanceof Deno.errors.NotCapable) return undefined;
    throw error;
  }
}

function parseKvPath(value: string | undefined): string | undefined {
  const path = value?.trim() ?? "";
  if (path === "") return undefined;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) {
    throw new ConfigError(
      `KV_PATH ${
        JSON.stringify(value)
      } is a URL: use a file path (on Deno Deploy, leave KV_PATH unset)`,
    );
  }
  return path;
}

/** A PostgreSQL URL, or `undefined` when unset; never quoted with its password. */
function parseDedupeStore(value: string | undefined): string | undefined {
  const url = value?.trim() ?? "";
  if (url === "") return undefined;
  const problem = postgresUrlProblem(url);
  if (problem === undefined) return url;
  throw new ConfigError(
    `DEDUPE_STORE ${JSON.stringify(redactUrl(url))} is not a PostgreSQL URL (${problem}): ` +
      `use ${POSTGRES_URL_FORM}, or leave it unset for Deno KV`,
  );
}

/**
 * The command line of `deno task send <what> [options]`, parsed and checked.
 *
 * @module
 */

import { parseSecrets } from "../userhub/mod.ts";
import { TIMESTAMP_TOLERANCE_SECONDS } from "../userhub/testing.ts";
import { readArguments } from "./args.ts";
import { quote } from "./quote.ts";
import { suggest } from "./suggest.ts";
import { isEventTarget, isTarget, type Target, TARGETS } from "./targets.ts";
import { UsageError } from "./usage_error.ts";

/** Where `SIGNING_SECRET` and `PORT` are read: `Deno.env`, or a `Map` in tests. */
export interface Environment {
  /** The variable's value, or `undefined` when it is not set. */
  get(name: string): string | undefined;
}

/** Everything a send needs, checked. */
export interface SendOptions {
  /** What to send. */
  target: Target;
  /** Where to send it. */
  url: URL;
  /** The secret to sign with: the first of `--secret` or `SIGNING_SECRET`. */
  secret: string;
  /** A JSON file to send instead of the built-in sample; `-` for stdin. */
  data?: string;
  /** `--set key=value` pairs, values parsed as JSON when they are JSON. */
  sets: [key: string, value: unknown][];
  /** How many distinct events (or calls) to send. */
  count: number;
  /** How many times to send each signed call, byte for byte. */
  repeat: number;
  /** How many calls may be in flight at once. */
  concurrency: number;
  /** Seconds added to the signed timestamp (negative: in the past). */
  timestampOffset: number;
  /** Sign, then spoil the signature. */
  badSignature: boolean;
  /** Seconds to wait for each answer. */
  timeout: number;
}

/** What the command line asks for. */
export type Command =
  | { kind: "help" }
  | { kind: "list" }
  | { kind: "send"; options: SendOptions };

const MAX_CALLS = 1_000_000;
const MAX_CONCURRENCY = 1000;

/**
 * Parses the arguments of `deno task send`. `--help` and `--list` win over
 * everything else.
 *
 * @param args The arguments after the task name.
 * @param env Where `SIGNING_SECRET` and `PORT` are read.
 * @returns What to do.
 * @throws {UsageError} For an unknown `<what>` or option, a bad value, or no secret.
 *
 * @example
 * ```ts
 * import { parseCommand } from "./options.ts";
 *
 * const command = parseCommand(
 *   ["users.changed", "--count", "3"],
 *   new Map([["SIGNING_SECRET", "whsec_test"]]),
 * );
 * console.assert(command.kind === "send" && command.options.count === 3);
 * ```
 */
export function parseCommand(args: readonly string[], env: Environment): Command {
  const end = args.indexOf("--");
  const optionArgs = end === -1 ? args : args.slice(0, end);
  if (optionArgs.includes("--help") || optionArgs.includes("-h")) return { kind: "help" };
  if (optionArgs.includes("--list")) return { kind: "list" };

  const { values, positionals } = readArguments(args);
  if (positionals.length === 0) {
    throw new UsageError(`Missing <what>: deno task send <what> [options]; ${SEE_LIST}`);
  }
  const [what, ...extra] = positionals;
  if (!isTarget(what!)) {
    throw new UsageError(
      `Unknown <what> ${quote(what!, 60)}${suggest(what!, Object.keys(TARGETS))}: ${SEE_LIST}`,
    );
  }
  if (extra.length > 0) {
    throw new UsageError(`Unexpected argument ${quote(extra[0]!, 60)}: send one <what> at a time`);
  }

  const { data } = values;
  const count = parseWhole("count", values.count, 1, MAX_CALLS);
  if (!isEventTarget(what) && count > TIMESTAMP_TOLERANCE_SECONDS) {
    throw new UsageError(
      `Option "--count" is ${count}: at most ${TIMESTAMP_TOLERANCE_SECONDS} distinct ${what} ` +
        "calls, each signed a second before the one after it, inside the timestamp window",
    );
  }
  return {
    kind: "send",
    options: {
      target: what,
      url: parseUrl(values.url, env),
      secret: readSecret(values.secret, env),
      ...(data !== undefined && { data }),
      sets: (values.set ?? []).map(parseSet),
      count,
      repeat: parseWhole("repeat", values.repeat, 1, MAX_CALLS),
      concurrency: parseWhole("concurrency", values.concurrency, 1, MAX_CONCURRENCY),
      timestampOffset: parseOffset(values["timestamp-offset"]),
      badSignature: values["bad-signature"] ?? false,
      timeout: parseTimeout(values.timeout),
    },
  };
}

/**
 * Reads a `--set` value: JSON when it parses as JSON (`42`, `true`, `null`,
 * `"123"`, `{"a":1}`), otherwise the text itself.
 *
 * @param text The part after `=`.
 * @returns The value to set.
 *
 * @example
 * ```ts
 * import { parseSetValue } from "./options.ts";
 *
 * console.assert(parseSetValue("3") === 3 && parseSetValue("Acme") === "Acme");
 * ```
 */
export function parseSetValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

const SEE_LIST = "see deno task send --list";

function parseSet(text: string): [string, unknown] {
  const equals = text.indexOf("=");
  if (equals <= 0) {
    throw new UsageError(`--set ${quote(text, 60)} is not key=value: e.g. --set displayName=Acme`);
  }
  return [text.slice(0, equals), parseSetValue(text.slice(equals + 1))];
}

function parseUrl(text: string | undefined, env: Environment): URL {
  if (text === undefined) {
    return new URL(`http://127.0.0.1:${readPort(env.get("PORT"))}/webhook`);
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(
      `--url ${quote(text, 60)} is not a URL: e.g. http://127.0.0.1:8000/webhook`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(`--url ${quote(text, 60)} is not an http or https URL`);
  }
  return url;
}

/** Reads `PORT` as the server does (digits, blanks around them ignored), but not port 0. */
function readPort(value: string | undefined): number {
  if (value === undefined || value.trim() === "") return 8000;
  const digits = value.trim();
  const port = Number(digits);
  // Port 0 is for a server to listen on (the system picks one), not to send to.
  if (!/^\d+$/.test(digits) || port === 0 || port > 65535) {
    throw new UsageError(
      `PORT ${quote(value, 60)} is not a port to send to: use 1 to 65535, or pass --url`,
    );
  }
  return port;
}

function readSecret(option: string | undefined, env: Environment): string {
  const secret = parseSecrets(option ?? env.get("SIGNING_SECRET") ?? "")[0];
  if (secret === undefined) {
    throw new UsageError(
      "No signing secret: set SIGNING_SECRET (the variable the server reads, e.g. in .env) " +
        "or pass --secret",
    );
  }
  return secret;
}

function parseWhole(name: string, text: string | undefined, min: number, max: number): number {
  if (text === undefined) return min;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new UsageError(
      `--${name} ${quote(text, 60)} is not a whole number from ${min} to ${max}`,
    );
  }
  return value;
}

function parseOffset(text: string | undefined): number {
  if (text === undefined) return 0;
  if (!/^[+-]?\d{1,9}$/.test(text)) {
    throw new UsageError(
      `--timestamp-offset ${quote(text, 60)} is not a whole number of seconds: e.g. -600`,
    );
  }
  return Number(text);
}

function parseTimeout(text: string | undefined): number {
  if (text === undefined) return 10;
  const value = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || value <= 0 || value > 3600) {
    throw new UsageError(`--timeout ${quote(text, 60)} is not a number of seconds from 0 to 3600`);
  }
  return value;
}

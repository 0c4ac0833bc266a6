/**
 * The command line of `deno task send <what> [options]`, parsed and checked.
 *
 * @module
 */

import { quote } from "../userhub/quote.ts";
import { parseSecrets } from "../userhub/signature.ts";
import { isTarget, type Target, TARGETS } from "./targets.ts";
import { UsageError } from "./usage_error.ts";

/** Where variables come from: `Deno.env`, or a `Map` in tests. */
export interface Environment {
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

const FLAGS = ["help", "list", "bad-signature"] as const;
const VALUES = [
  "url",
  "secret",
  "data",
  "set",
  "count",
  "repeat",
  "concurrency",
  "timestamp-offset",
  "timeout",
] as const;
type Flag = typeof FLAGS[number];
type ValueOption = typeof VALUES[number];

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

  const positionals: string[] = [];
  const values = new Map<ValueOption, string>();
  const sets: string[] = [];
  const flags = new Set<Flag>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (i === end) {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      positionals.push(arg);
      continue;
    }
    const equals = arg.indexOf("=");
    const name = (equals === -1 ? arg : arg.slice(0, equals)).replace(/^--?/, "");
    if (isFlag(name) && arg.startsWith("--")) {
      if (equals !== -1) throw new UsageError(`Option "--${name}" takes no value`);
      flags.add(name);
      continue;
    }
    if (!isValueOption(name) || !arg.startsWith("--")) {
      throw new UsageError(
        `Unknown option ${quote(arg, 60)}${suggest(arg, allOptions())}: ${SEE_HELP}`,
      );
    }
    let value: string;
    if (equals !== -1) {
      value = arg.slice(equals + 1);
    } else {
      if (i + 1 >= args.length || i + 1 === end) {
        throw new UsageError(`Option "--${name}" needs a value: ${SEE_HELP}`);
      }
      value = args[++i]!;
    }
    if (name === "set") {
      sets.push(value);
    } else if (values.has(name)) {
      throw new UsageError(`Option "--${name}" is given twice: give it once`);
    } else {
      values.set(name, value);
    }
  }

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

  const data = values.get("data");
  return {
    kind: "send",
    options: {
      target: what,
      url: parseUrl(values.get("url"), env),
      secret: readSecret(values.get("secret"), env),
      ...(data !== undefined && { data }),
      sets: sets.map(parseSet),
      count: parseWhole("count", values.get("count"), 1, MAX_CALLS),
      repeat: parseWhole("repeat", values.get("repeat"), 1, MAX_CALLS),
      concurrency: parseWhole("concurrency", values.get("concurrency"), 1, MAX_CONCURRENCY),
      timestampOffset: parseOffset(values.get("timestamp-offset")),
      badSignature: flags.has("bad-signature"),
      timeout: parseTimeout(values.get("timeout")),
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

const SEE_HELP = "see deno task send --help";
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

function readPort(value: string | undefined): number {
  if (value === undefined || value.trim() === "") return 8000;
  const port = Number(value.trim());
  if (!/^\d+$/.test(value.trim()) || port < 1 || port > 65535) {
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

function isFlag(name: string): name is Flag {
  return (FLAGS as readonly string[]).includes(name);
}

function isValueOption(name: string): name is ValueOption {
  return (VALUES as readonly string[]).includes(name);
}

function allOptions(): string[] {
  return [...FLAGS, ...VALUES].map((name) => `--${name}`);
}

/** `: did you mean "x"?` for the closest candidate within a few edits, or nothing. */
function suggest(input: string, candidates: readonly string[]): string {
  const name = input.split("=", 1)[0]!;
  let best: string | undefined;
  let bestDistance = Math.min(3, Math.floor(name.length / 3));
  for (const candidate of candidates) {
    const distance = editDistance(name, candidate);
    if (distance <= bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best === undefined ? "" : ` (did you mean ${quote(best, 60)}?)`;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j]! + 1,
        current[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length]!;
}

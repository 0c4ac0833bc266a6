/**
 * `deno task send <what> [options]`: signs realistic UserHub calls with the
 * project's own signing code and delivers them to a URL, so the whole loop
 * runs on one machine without UserHub or a tunnel. `--help` lists the options.
 *
 * @module
 */

import { TIMESTAMP_TOLERANCE_SECONDS } from "../userhub/testing.ts";
import { buildCalls, type Call } from "./calls.ts";
import { deliver, type Outcome } from "./deliver.ts";
import { HELP, listText } from "./help.ts";
import { hints } from "./hints.ts";
import { type Environment, parseCommand, type SendOptions } from "./options.ts";
import { ensureNet, ensureRead, type Permissions } from "./permissions.ts";
import { type Expectation, formatOutcome, summarize, verdict } from "./report.ts";
import { isEventTarget } from "./targets.ts";
import { UsageError } from "./usage_error.ts";

/** What the sender touches outside itself; each has a Deno default, tests replace them. */
export interface CliDeps {
  /** `SIGNING_SECRET` and `PORT`. */
  env: Environment;
  /** Prints a line of normal output. */
  out: (line: string) => void;
  /** Prints an error line. */
  err: (line: string) => void;
  /** Whether to colour statuses. */
  color: boolean;
  /** Sends a request. */
  fetch: typeof fetch;
  /** Asks for the network host and the `--data` file. */
  permissions: Permissions;
  /** Reads a `--data` file. */
  readFile: (path: string) => Promise<Uint8Array>;
  /** Reads `--data -`. */
  readStdin: () => Promise<Uint8Array>;
}

/**
 * Runs the sender.
 *
 * @param args The arguments after `deno task send`.
 * @param deps Replacements for the environment, output, network and files.
 * @returns The exit code: 0 when every call went as wanted, 1 when not, 2
 * for a usage error.
 *
 * @example Send a challenge to a running server
 * ```ts ignore
 * import { main } from "./cli.ts";
 *
 * const code = await main(["challenge", "--url", "http://127.0.0.1:8000/webhook"]);
 * ```
 */
export async function main(args: readonly string[], deps: Partial<CliDeps> = {}): Promise<number> {
  const io: CliDeps = { ...defaultDeps(), ...deps };
  try {
    const command = parseCommand(args, io.env);
    if (command.kind === "help") {
      io.out(HELP);
      return 0;
    }
    if (command.kind === "list") {
      io.out(listText());
      return 0;
    }
    return await send(command.options, io);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(error.message);
    return error.exitCode;
  }
}

async function send(options: SendOptions, io: CliDeps): Promise<number> {
  await ensureNet(options.url, io.permissions);
  const data = options.data === undefined ? undefined : await readData(options.data, io);
  const invalid = invalidReason(options);
  const expect: Expectation = invalid === undefined ? "accepted" : "rejected";
  const calls = buildCalls({
    target: options.target,
    secret: options.secret,
    ...(data !== undefined && { data }),
    sets: options.sets,
    count: options.count,
    repeat: options.repeat,
    timestampOffset: options.timestampOffset,
    badSignature: options.badSignature,
  });
  // The first body is built before anything is printed, so an unusable
  // --data or --set fails as a usage error on its own.
  const first = await calls.next();
  if (first.done) return 0;

  io.out(header(options));
  const outcomes: Outcome[] = [];
  const started = performance.now();
  await pool(first.value, calls, options.concurrency, async (call) => {
    const outcome = await deliver(options.url, call, { fetch: io.fetch, timeout: options.timeout });
    outcomes.push(outcome);
    io.out(formatOutcome(outcome, expect, io.color));
  });
  if (outcomes.length > 1) io.out(summarize(outcomes, performance.now() - started));
  for (const line of hints(outcomes, expect, options.url)) io.out(line);
  const result = verdict(outcomes, expect, invalid ?? "");
  if (result.line !== undefined) io.out(result.line);
  return result.ok ? 0 : 1;
}

/** Why the calls of a run are deliberately invalid, or nothing when they are valid. */
function invalidReason(options: SendOptions): string | undefined {
  const reasons = [];
  if (options.badSignature) reasons.push("bad signature");
  if (Math.abs(options.timestampOffset) > TIMESTAMP_TOLERANCE_SECONDS) {
    reasons.push(`timestamp ${describeOffset(options.timestampOffset)}`);
  }
  return reasons.length === 0 ? undefined : reasons.join(", ");
}

function header(options: SendOptions): string {
  const parts = [`Sending ${options.target} to ${options.url.href}`];
  const details = [];
  if (options.data !== undefined) {
    details.push(`from ${source(options.data)}`);
  }
  if (options.count > 1) {
    details.push(`${options.count} distinct ${isEventTarget(options.target) ? "events" : "calls"}`);
  }
  if (options.repeat > 1) details.push(`each sent ${options.repeat} times`);
  if (options.concurrency > 1) details.push(`${options.concurrency} at a time`);
  if (options.badSignature) details.push("with a bad signature");
  if (options.timestampOffset !== 0) {
    const inside = Math.abs(options.timestampOffset) <= TIMESTAMP_TOLERANCE_SECONDS;
    details.push(`timestamp ${describeOffset(options.timestampOffset)}`);
    if (inside) details.push(`inside the ±${TIMESTAMP_TOLERANCE_SECONDS} s window, so still valid`);
  }
  if (details.length > 0) parts.push(` (${details.join(", ")})`);
  return parts.join("");
}

function describeOffset(offset: number): string {
  return `${Math.abs(offset)} s in the ${offset < 0 ? "past" : "future"}`;
}

async function readData(path: string, io: CliDeps): Promise<unknown> {
  let bytes: Uint8Array;
  if (path === "-") {
    bytes = await io.readStdin();
  } else {
    await ensureRead(path, io.permissions);
    try {
      bytes = await io.readFile(path);
    } catch (error) {
      const reason = error instanceof Deno.errors.NotFound
        ? "no such file"
        : error instanceof Error
        ? error.message
        : String(error);
      throw new UsageError(`Cannot read --data from ${source(path)}: ${reason}`);
    }
  }
  try {
    return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (error) {
    const reason = error instanceof SyntaxError
      ? error.message.replace(/\s+/g, " ")
      : "it is not UTF-8 text";
    throw new UsageError(`Cannot use --data from ${source(path)}: not JSON: ${reason}`);
  }
}

function source(path: string): string {
  return path === "-" ? "stdin" : JSON.stringify(path);
}

/** Runs `work` on `first` and then every further call, `size` at a time. */
async function pool(
  first: Call,
  rest: AsyncIterator<Call>,
  size: number,
  work: (call: Call) => Promise<void>,
): Promise<void> {
  let pending: Call | undefined = first;
  const worker = async () => {
    while (true) {
      let call = pending;
      pending = undefined;
      if (call === undefined) {
        const next = await rest.next();
        if (next.done) return;
        call = next.value;
      }
      await work(call);
    }
  };
  await Promise.all(Array.from({ length: size }, worker));
}

function defaultDeps(): CliDeps {
  return {
    env: Deno.env,
    out: (line) => console.log(line),
    err: (line) => console.error(line),
    color: Deno.stdout.isTerminal() && !Deno.noColor,
    fetch: globalThis.fetch,
    permissions: Deno.permissions,
    readFile: (path) => Deno.readFile(path),
    readStdin: async () => new Uint8Array(await new Response(Deno.stdin.readable).arrayBuffer()),
  };
}

if (import.meta.main) Deno.exit(await main(Deno.args));

/**
 * Test helpers that start `main.ts` as a process, with the flags of the
 * `start` task in deno.json: the tests run what users run. Shared by
 * `server_process_test.ts` and `kv_restart_test.ts`.
 *
 * @module
 */

import assert from "node:assert/strict";
import { STOP_DEADLINE_MS } from "../main.ts";
import { signedRequest } from "./fixtures.ts";

/**
 * A task of deno.json as a command: the variables it sets (`NAME=value`
 * before `deno`), and its arguments after `deno`; its last word is `main.ts`.
 */
export async function taskCommand(
  name: "start" | "dev",
): Promise<{ env: Record<string, string>; args: string[] }> {
  const { default: config } = await import("../deno.json", { with: { type: "json" } });
  const words = (config.tasks[name] as string).split(/\s+/);
  const env: Record<string, string> = {};
  while (/^[A-Z_]+=/.test(words[0]!)) {
    const [variable, value] = words.shift()!.split("=") as [string, string];
    env[variable] = value;
  }
  assert.equal(words.shift(), "deno");
  assert.equal(words.at(-1), "main.ts");
  return { env, args: words };
}

/** The `start` task's command without its leading `deno`; its last word is `main.ts`. */
export async function startTaskArgs(): Promise<string[]> {
  const { env, args } = await taskCommand("start");
  assert.deepEqual(env, {});
  return args;
}

/** How long a `main.ts` process may take to print what a test waits for, or to exit. */
const PROCESS_MS = 30_000;
/** How long a call to it may take. */
const CALL_MS = 10_000;

/**
 * The variables every process test starts `deno` with, beside its own: colours
 * off; the server's optional variables unset, whatever the shell running the
 * tests has exported; and Deno KV in memory, the process's own, so that no
 * test writes to the user's store, nor needs a `DENO_DIR` (and a package
 * download) of its own. A test of a KV file sets `DENO_KV_DB_MODE: "disk"`.
 */
export const PROCESS_ENV: Readonly<Record<string, string>> = {
  NO_COLOR: "1",
  DEDUPE: "",
  DEDUPE_STORE: "",
  KV_PATH: "",
  HOSTNAME: "",
  DENO_KV_DB_MODE: "memory",
};

/** `deno` with `args`, {@linkcode PROCESS_ENV} and `env`, no stdin, stdout piped. */
function denoCommand(
  args: string[],
  env: Record<string, string>,
  stderr: "piped" | "inherit" | "null",
  signal?: AbortSignal,
): Deno.Command {
  return new Deno.Command("deno", {
    args,
    env: { ...PROCESS_ENV, ...env },
    stdin: "null",
    stdout: "piped",
    stderr,
    ...(signal && { signal }),
  });
}

/**
 * Runs the `start` task's command with `env` until it exits by itself.
 *
 * @returns Its exit code and its stderr, trimmed.
 * @throws {Error} When it is still running after 30 s (it is killed).
 */
export async function runStart(env: Record<string, string>) {
  const signal = AbortSignal.timeout(PROCESS_MS);
  const output = await denoCommand(await startTaskArgs(), env, "piped", signal).output();
  const stderr = new TextDecoder().decode(output.stderr).trim();
  if (signal.aborted) {
    throw new Error(`main.ts was still running after ${PROCESS_MS / 1000} s:\n${stderr}`);
  }
  return { code: output.code, stderr };
}

/**
 * Starts the `start` task's command with `env`, its stdout read as text. A
 * guard kills it after 20 s in case the test hangs, and a read then fails
 * with that message; `done()` clears the guard.
 */
export async function spawnStart(
  env: Record<string, string>,
  stderr: "piped" | "inherit" | "null",
) {
  const child = denoCommand(await startTaskArgs(), env, stderr).spawn();
  let fail = (_: Error) => {};
  const deadline = new TransformStream<string, string>({
    start: (controller) => void (fail = (error) => controller.error(error)),
  });
  const stdout = child.stdout.pipeThrough(new TextDecoderStream()).pipeThrough(deadline)
    .getReader();
  const guard = setTimeout(() => {
    fail(new Error("main.ts was still running after 20 s: killed"));
    try {
      child.kill("SIGKILL");
    } catch {
      // Already exited.
    }
  }, 20_000);
  return { child, stdout, done: () => clearTimeout(guard) };
}

/**
 * A `main.ts` process whose stdout and stderr are collected together as they
 * come. `PORT` is 0 unless `env` says otherwise.
 */
export class Server {
  #child: Deno.ChildProcess;
  #pumps: Promise<void>[];
  output = "";
  url = "";

  /**
   * @param args The `deno` arguments: {@linkcode startTaskArgs}, or those with more flags.
   * @param env The variables.
   */
  constructor(args: string[], env: Record<string, string>) {
    this.#child = denoCommand(args, { PORT: "0", ...env }, "piped")
      .spawn();
    this.#pumps = [this.#child.stdout, this.#child.stderr].map(async (stream) => {
      for await (const text of stream.pipeThrough(new TextDecoderStream())) this.output += text;
    });
  }

  /**
   * Waits until the output matches, or fails when the process ends first or
   * `ms` pass (30 s by default), with the output so far.
   */
  async waitFor(pattern: RegExp, ms = PROCESS_MS): Promise<RegExpMatchArray> {
    const deadline = Date.now() + ms;
    let ended = false;
    this.#child.status.then(() => ended = true);
    while (Date.now() < deadline) {
      const match = this.output.match(pattern);
      if (match) return match;
      if (ended) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const why = ended ? "it exited" : `${ms / 1000} s passed`;
    throw new Error(`no ${pattern} in the server's output (${why}):\n${this.output}`);
  }

  /** Waits for the "Listening on" line and keeps its URL. */
  async listening(): Promise<this> {
    this.url = (await this.waitFor(/^Listening on .*?(http:\/\/127\.0\.0\.1:\d+)( here)?$/m))[1]!;
    return this;
  }

  /** Sends `body` as a signed event, timestamped now, and returns the status. */
  async send(body: string): Promise<number> {
    const request = await signedRequest({
      body,
      timestamp: Math.floor(Date.now() / 1000),
      url: `${this.url}/webhook`,
    });
    const response = await fetch(request, { signal: AbortSignal.timeout(CALL_MS) }).catch(
      (error) => {
        throw new Error(`no answer from ${this.url} within ${CALL_MS / 1000} s`, { cause: error });
      },
    );
    await response.body?.cancel();
    return response.status;
  }

  /**
   * Waits for the process to exit and returns its exit code. After its
   * graceful stop's own deadline and 10 s more, it is killed and this fails.
   */
  async exited(): Promise<number> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<"late">((resolve) => {
      timer = setTimeout(() => resolve("late"), STOP_DEADLINE_MS + 10_000);
    });
    const status = await Promise.race([this.#child.status, late]);
    clearTimeout(timer);
    if (status === "late") {
      this.#child.kill("SIGKILL");
      await this.#child.status;
      throw new Error(
        `main.ts had not exited after ${STOP_DEADLINE_MS / 1000 + 10} s: killed\n${this.output}`,
      );
    }
    await Promise.all(this.#pumps);
    return status.code;
  }

  /** Sends a signal, e.g. `SIGKILL` to crash it; nothing if it has exited. */
  kill(signal: Deno.Signal): void {
    try {
      this.#child.kill(signal);
    } catch {
      // It had exited already.
    }
  }

  /** Stops the process and returns its exit code. */
  stop(): Promise<number> {
    try {
      this.#child.kill("SIGTERM");
    } catch {
      // It had exited already.
    }
    return this.exited();
  }
}

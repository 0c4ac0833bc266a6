/**
 * Test helpers that start `main.ts` as a process, with the flags of the
 * `start` task in deno.json: the tests run what users run. Shared by
 * `server_process_test.ts` and `kv_restart_test.ts`.
 *
 * @module
 */

import assert from "node:assert/strict";
import { signedRequest } from "./_testing.ts";

/**
 * A task of deno.json as a command: the variables it sets (`NAME=value`
 * before `deno`), and its arguments after `deno`; its last word is `main.ts`.
 */
export async function taskCommand(
  name: "start" | "dev",
): Promise<{ env: Record<string, string>; args: string[] }> {
  const { default: config } = await import("./deno.json", { with: { type: "json" } });
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

/**
 * `deno` with `args` and `env` (colours off), no stdin, stdout piped. The
 * server's optional variables are unset unless `env` sets them, whatever the
 * shell running the tests has exported.
 */
function denoCommand(
  args: string[],
  env: Record<string, string>,
  stderr: "piped" | "inherit" | "null",
): Deno.Command {
  return new Deno.Command("deno", {
    args,
    env: { NO_COLOR: "1", DEDUPE: "", DEDUPE_STORE: "", KV_PATH: "", CUSTOM_USERS: "", ...env },
    stdin: "null",
    stdout: "piped",
    stderr,
  });
}

/**
 * Runs the `start` task's command with `env` until it exits by itself.
 *
 * @returns Its exit code and its stderr, trimmed.
 */
export async function runStart(env: Record<string, string>) {
  const output = await denoCommand(await startTaskArgs(), env, "piped").output();
  return { code: output.code, stderr: new TextDecoder().decode(output.stderr).trim() };
}

/**
 * Starts the `start` task's command with `env`, its stdout read as text. A
 * guard kills it after 20 s in case the test hangs; `done()` clears the guard.
 */
export async function spawnStart(
  env: Record<string, string>,
  stderr: "piped" | "inherit" | "null",
) {
  const child = denoCommand(await startTaskArgs(), env, stderr).spawn();
  const stdout = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const guard = setTimeout(() => {
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

  /** Waits until the output matches, or the process ends, or 30 s pass. */
  async waitFor(pattern: RegExp): Promise<RegExpMatchArray> {
    const deadline = Date.now() + 30_000;
    let ended = false;
    this.#child.status.then(() => ended = true);
    while (Date.now() < deadline) {
      const match = this.output.match(pattern);
      if (match) return match;
      if (ended) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`no ${pattern} in the server's output:\n${this.output}`);
  }

  /** Waits for the "Listening on" line and keeps its URL. */
  async listening(): Promise<this> {
    this.url = (await this.waitFor(/^Listening on (http:\/\/127\.0\.0\.1:\d+)$/m))[1]!;
    return this;
  }

  /** Sends `body` as a signed event, timestamped now, and returns the status. */
  async send(body: string): Promise<number> {
    const request = await signedRequest({
      body,
      timestamp: Math.floor(Date.now() / 1000),
      url: `${this.url}/webhook`,
    });
    const response = await fetch(request);
    await response.body?.cancel();
    return response.status;
  }

  /** Waits for the process to exit by itself and returns its exit code. */
  async exited(): Promise<number> {
    const { code } = await this.#child.status;
    await Promise.all(this.#pumps);
    return code;
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

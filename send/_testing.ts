/**
 * Test helpers for the sender: a real server on an ephemeral port that
 * records every call it receives, an app that records every event, and the
 * sender run as a subprocess with the same permissions as `deno task send`.
 *
 * @module
 */

import { type App, createApp } from "../app/mod.ts";
import { SECRET } from "../tests/fixtures.ts";
import type { Event, EventHandlers, EventType, Logger } from "../userhub/mod.ts";
import { EVENT_TYPES } from "../userhub/testing.ts";
import type { CliDeps } from "./cli.ts";

// The rest of the project the sender's tests run against, imported here only.
export { createApp } from "../app/mod.ts";
export { KvDeliveryGuard } from "../dedupe/mod.ts";
export { KvUserDirectory } from "../examples/kv_user_directory.ts";
export { handlers as projectHandlers } from "../handlers/mod.ts";

/** The secret tests sign and verify with. */
export { SECRET } from "../tests/fixtures.ts";

/** Every event type of the table, in its order. */
export const EVENT_TYPE_NAMES = Object.keys(EVENT_TYPES) as EventType[];

/** A call as the server received it, before the app saw it. */
export interface Received {
  action: string | null;
  timestamp: string | null;
  signature: string | null;
  /** The raw body bytes. */
  body: Uint8Array;
  /** The answer's status. */
  status: number;
}

/** A running test server. */
export interface TestServer {
  /** `http://127.0.0.1:<port>/webhook`. */
  url: string;
  /** Every call, in the order the answers were sent. */
  received: Received[];
  /** Stops the server. */
  close(): Promise<void>;
}

/**
 * Serves a request handler on 127.0.0.1 and an ephemeral port, recording each call.
 *
 * @param handler The app under test, e.g. from `createApp`.
 * @returns The server.
 */
export function serve(handler: (request: Request) => Promise<Response>): TestServer {
  const received: Received[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    // Read once and hand the app a copy: cloning the request makes Deno warn about its signal.
    const body = new Uint8Array(await request.arrayBuffer());
    const copy = new Request(request.url, {
      method: request.method,
      headers: request.headers,
      body,
    });
    const response = await handler(copy);
    received.push({
      action: request.headers.get("userhub-action"),
      timestamp: request.headers.get("userhub-timestamp"),
      signature: request.headers.get("userhub-signature"),
      body,
      status: response.status,
    });
    return response;
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}/webhook`,
    received,
    close: () => server.shutdown(),
  };
}

/** A logger that drops everything: the server's refusals are expected in these tests. */
export const quietLogger: Logger = { info() {}, warn() {}, error() {} };

/**
 * The project's app with handlers that record each event instead of the
 * project's own.
 *
 * @returns The app, and the events its handlers received, in order.
 */
export function recordingApp(): { app: App; events: Event[] } {
  const events: Event[] = [];
  const handlers: EventHandlers = Object.fromEntries(EVENT_TYPE_NAMES.map((type) => [
    type,
    (event: Event) => {
      events.push(event);
    },
  ]));
  return { app: createApp({ secrets: [SECRET], logger: quietLogger, handlers }), events };
}

/**
 * Parses a received body as JSON.
 *
 * @param body The raw bytes.
 * @returns The object.
 */
export function parse(body: Uint8Array): Record<string, unknown> {
  return JSON.parse(new TextDecoder().decode(body));
}

/** Dependencies for an in-process `main`, and what it printed. */
export interface TestRun {
  deps: Partial<CliDeps>;
  out: string[];
  err: string[];
}

/**
 * Dependencies for an in-process `main`: the test secret, no colour, and
 * output kept for assertions.
 *
 * @param overrides Anything to replace.
 * @returns The dependencies and the arrays the output goes to.
 */
export function testRun(overrides: Partial<CliDeps> = {}): TestRun {
  const out: string[] = [];
  const err: string[] = [];
  const deps: Partial<CliDeps> = {
    env: new Map([["SIGNING_SECRET", SECRET]]),
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    color: false,
    ...overrides,
  };
  return { deps, out, err };
}

/** The result of running the sender as a subprocess. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

const CLI = new URL("./cli.ts", import.meta.url).href;

/**
 * Runs `send/cli.ts` as `deno task send` does: net to this machine only,
 * env for `SIGNING_SECRET` and `PORT`, and no file access unless `readable`.
 *
 * @param args The sender's arguments.
 * @param options A file the sender may read, and the environment.
 * @returns Exit code and output.
 */
export async function runCli(
  args: string[],
  options: { readable?: string; env?: Record<string, string> } = {},
): Promise<CliRun> {
  const flags = ["--allow-net=127.0.0.1,localhost,[::1]", "--allow-env=SIGNING_SECRET,PORT"];
  if (options.readable !== undefined) flags.push(`--allow-read=${options.readable}`);
  const output = await new Deno.Command("deno", {
    args: ["run", "-q", "--no-prompt", ...flags, CLI, ...args],
    env: { SIGNING_SECRET: SECRET, NO_COLOR: "1", ...options.env },
    stdin: "null",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

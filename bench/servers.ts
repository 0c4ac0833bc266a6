/**
 * The servers the load benchmark measures: starting one (its output to log
 * files, Deno KV in a private `DENO_DIR`), timing its cold start, stopping it.
 *
 * @module
 */

import { challengeRequest, type EventSize, send, SIGNING_SECRET } from "./http.ts";

/** The repository's root, where every server is started. */
export const PROJECT_ROOT = new URL("..", import.meta.url).pathname;

/** One kind of server run: a baseline, a peer, or a configuration of the project. */
export interface Subject {
  /** The run's name, as `--only` takes it. */
  key: string;
  /** The run's name in the table. */
  label: string;
  /** The shell command that starts the server. */
  command: string;
  /** Where the command runs; the repository's root by default. */
  cwd?: string;
  /** Environment variables beside the secret, the port and `DENO_DIR`. */
  env: Record<string, string>;
  /** Whether every request carries a new event id, or all are one request sent again. */
  ids: "distinct" | "same";
  /** Which event the run sends: the 1.6 KB one, or the 256 KiB one. */
  size: EventSize;
  /** Whether the server logs an `Event:` line per event answered (checked against the 2xx count). */
  logs: boolean;
  /** Whether Deno KV is used (fewer measured requests; the store is emptied before each run). */
  kv?: boolean;
  /** Whether the run times more cold starts (its median of five); otherwise only its own start. */
  coldStarts: boolean;
  /** The key of the run this one's ratios are taken to (the table's baseline when absent). */
  versus?: string;
}

/** A started server: its process, port, cold start and log files. */
export interface Server {
  child: Deno.ChildProcess;
  pid: number;
  port: number;
  /** Milliseconds from spawn to the first 2xx answer to a signed challenge. */
  coldMs: number;
  /** The file of the server's stdout. */
  stdout: string;
  /** The file of the server's stderr. */
  stderr: string;
}

let nextPort = 18000 + Math.floor(Math.random() * 2000);

/** A port no server of this benchmark has used yet. */
export function takePort(): number {
  return nextPort++;
}

/** Waits for the first 2xx answer to a signed challenge; the time it came. */
async function firstSuccess(port: number, child: Deno.ChildProcess): Promise<number> {
  const request = challengeRequest(port);
  let exited = false;
  child.status.then(() => exited = true);
  const deadline = performance.now() + 30_000;
  while (performance.now() < deadline && !exited) {
    const status = await send(port, request);
    if (status !== undefined && status >= 200 && status < 300) return performance.now();
    if (status !== undefined) {
      throw new Error(`The server answered ${status} to a signed challenge`);
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  throw new Error(exited ? "The server exited before answering" : "The server never answered");
}

/** Starts a server on `port` behind the `pin` prefix and waits until it answers. */
export async function startServer(
  subject: Subject,
  pin: string[],
  dir: string,
  port: number,
): Promise<Server> {
  const stdout = `${dir}/${subject.key}-${port}.out`;
  const stderr = `${dir}/${subject.key}-${port}.err`;
  const began = performance.now();
  const child = new Deno.Command(pin[0] ?? "sh", {
    // `exec` keeps the pid: taskset and sh become the server itself.
    args: [
      ...pin.slice(1),
      ...(pin.length ? ["sh"] : []),
      "-c",
      `exec ${subject.command} >${stdout} 2>${stderr}`,
    ],
    cwd: subject.cwd ?? PROJECT_ROOT,
    env: {
      ...subject.env,
      SIGNING_SECRET,
      PORT: String(port),
      NO_COLOR: "1",
      // A private DENO_DIR: Deno KV's default store (and Deno's caches) live
      // there, so the benchmark never touches the user's own store.
      DENO_DIR: `${dir}/deno_dir`,
    },
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  try {
    const ready = await firstSuccess(port, child);
    return { child, pid: child.pid, port, coldMs: ready - began, stdout, stderr };
  } catch (error) {
    // A server that never answered would go on loading the server's core.
    await kill(child);
    throw new Error(`${(error as Error).message}${errorLine(stderr)}`);
  }
}

async function kill(child: Deno.ChildProcess): Promise<void> {
  try {
    child.kill("SIGKILL");
  } catch {
    // Already gone.
  }
  await child.status;
}

/** The server's error line on stderr (else its first line), to quote in an error; or nothing. */
function errorLine(path: string): string {
  try {
    const lines = Deno.readTextFileSync(path).split("\n").filter((l) => l.trim() !== "");
    const line = lines.find((l) => l.startsWith("error")) ?? lines[0];
    return line === undefined ? "" : ` (stderr: ${line.trim().slice(0, 200)})`;
  } catch {
    return "";
  }
}

/**
 * Empties the Deno KV stores of the benchmark's private `DENO_DIR` (Deno
 * keeps a program's default store under `location_data/`), so that each run
 * with the duplicate check starts from an empty store rather than one grown by
 * the runs before it.
 */
export async function emptyKvStores(dir: string): Promise<void> {
  await Deno.remove(`${dir}/deno_dir/location_data`, { recursive: true }).catch(() => {});
}

/** Stops a server with SIGTERM (SIGKILL after 10 s); a stopped one is left as it is. */
export async function stopServer(server: Server): Promise<void> {
  try {
    server.child.kill("SIGTERM");
  } catch {
    // Already gone.
  }
  const timer = setTimeout(() => {
    try {
      server.child.kill("SIGKILL");
    } catch {
      // Already gone.
    }
  }, 10_000);
  await server.child.status;
  clearTimeout(timer);
}

/** Starts and stops the server `count` times on new ports; the cold start of each. */
export async function coldStarts(
  subject: Subject,
  pin: string[],
  dir: string,
  count: number,
): Promise<number[]> {
  const times = [];
  for (let i = 0; i < count; i++) {
    const server = await startServer(subject, pin, dir, takePort());
    times.push(server.coldMs);
    await stopServer(server);
  }
  return times;
}

/**
 * One measured run of the load benchmark: write the run's pre-signed
 * requests, start the server, warm it up, measure it under wrk, check its
 * log, time more cold starts and stop it.
 *
 * @module
 */

import { eventRequest, fillerRequest, send } from "./http.ts";
import { cpuTicks, memoryMiB, type Pins } from "./machine.ts";
import {
  coldStarts,
  emptyKvStores,
  type Server,
  startServer,
  stopServer,
  type Subject,
  takePort,
} from "./servers.ts";
import { median } from "./table.ts";
import { runWrk, writeRequestFile, wrkFailure } from "./wrk.ts";

/** Starts per run whose median is the run's cold start. */
const COLD_STARTS = 5;

/** What one run measured; NaN where a failed run has no figure. */
export interface Run {
  ok: boolean;
  failure?: string;
  rps: number;
  cpuUs: number;
  p50Ms: number;
  p99Ms: number;
  rssMiB: number;
  coldMs: number;
}

/** What every run shares: the machine, a directory for files and the size of a run. */
export interface RunSetup {
  pins: Pins;
  /** Clock ticks per second, the unit of the CPU time in `/proc`. */
  ticks: number;
  /** A temporary directory for request files, logs and the private `DENO_DIR`. */
  dir: string;
  warmup: number;
  requests: number;
  /** Measured requests of the runs with Deno KV, when fewer than `requests`. */
  kvRequests: number;
  /** Measured requests of the runs of the 256 KiB event (a quarter as many to warm up). */
  largeRequests: number;
  connections: number;
}

/** The figures a run measures under load; the cold start comes apart. */
type LoadFigures = Pick<Run, "rps" | "cpuUs" | "p50Ms" | "p99Ms" | "rssMiB">;

/** The run's request files, and the one request of a run that sends one request again. */
interface RequestFiles {
  warm: string;
  measured: string;
  same: string | undefined;
}

/** How many requests a run of `subject` warms up with and measures. */
export function runSize(subject: Subject, setup: RunSetup): { warmup: number; requests: number } {
  if (subject.size === "large") {
    return { warmup: Math.ceil(setup.largeRequests / 4), requests: setup.largeRequests };
  }
  const requests = subject.kv ? Math.min(setup.requests, setup.kvRequests) : setup.requests;
  return { warmup: setup.warmup, requests };
}

/** A failed run: why, and its cold start if the server started. */
export function failedRun(failure: string, coldMs = NaN): Run {
  const none = NaN;
  return {
    ok: false,
    failure,
    rps: none,
    cpuUs: none,
    p50Ms: none,
    p99Ms: none,
    rssMiB: none,
    coldMs,
  };
}

/**
 * Writes the warm-up and measured requests, freshly signed (UserHub's window
 * is 300 s), each file after the filler. A run that sends one request again
 * gets one file of that request, for the warm-up and the measured run alike.
 */
async function writeRunRequests(
  subject: Subject,
  setup: RunSetup,
  port: number,
  round: number,
): Promise<RequestFiles> {
  const { warmup, requests } = runSize(subject, setup);
  const prefix = `${subject.key}${round}x${crypto.randomUUID().slice(0, 8)}x`;
  const filler = fillerRequest(port);
  const warm = `${setup.dir}/warm`;
  const measured = `${setup.dir}/measure`;
  if (subject.ids === "same") {
    const same = eventRequest(port, `${prefix}w0`, subject.size);
    await writeRequestFile(warm, filler, 1, () => same);
    return { warm, measured: warm, same };
  }
  const request = (id: string) => eventRequest(port, id, subject.size);
  await writeRequestFile(warm, filler, warmup, (i) => request(`${prefix}w${i}`));
  await writeRequestFile(measured, filler, requests, (i) => request(`${prefix}m${i}`));
  return { warm, measured, same: undefined };
}

/** Warms the server up and measures it under wrk; the figures, or why the run failed. */
async function underLoad(
  subject: Subject,
  setup: RunSetup,
  server: Server,
  files: RequestFiles,
): Promise<LoadFigures | string> {
  const { pins, connections } = setup;
  const { warmup, requests } = runSize(subject, setup);
  const repeat = files.same !== undefined;
  if (repeat && subject.kv) {
    // The first delivery of the one event, alone: the load then only meets duplicates.
    const first = await send(server.port, new TextEncoder().encode(files.same));
    if (first !== 200) return `first delivery answered ${first ?? "nothing"}`;
  }
  const warm = await runWrk(pins.load, server.port, files.warm, warmup, connections, repeat);
  const warmFailure = wrkFailure(warm, warmup);
  if (warmFailure) return `warm-up: ${warmFailure}`;
  const before = cpuTicks(server.pid);
  const result = await runWrk(
    pins.load,
    server.port,
    files.measured,
    requests,
    connections,
    repeat,
  );
  const after = cpuTicks(server.pid);
  const rssMiB = memoryMiB(server.pid, "VmHWM");
  const failure = wrkFailure(result, requests);
  if (failure) return failure;
  return {
    rps: result.requests / (result.durationUs / 1e6),
    cpuUs: (after - before) / setup.ticks * 1e6 / result.requests,
    p50Ms: result.p50Us / 1000,
    p99Ms: result.p99Us / 1000,
    rssMiB,
  };
}

function countOccurrences(path: string, needle: string): number {
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch {
    return 0;
  }
  let count = 0;
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + 1)) count++;
  return count;
}

/** Why the stopped server's log falls short of the events it answered; undefined if it does not. */
function logFailure(subject: Subject, server: Server, answered: number): string | undefined {
  if (!subject.logs) return undefined;
  const logged = countOccurrences(server.stdout, "Event: organizations.changed");
  return logged < answered ? `${answered} events answered but ${logged} logged` : undefined;
}

/**
 * One run of `subject`: start, warm up, measure, stop, then the median of
 * more cold starts. A run with Deno KV starts from an empty store.
 */
export async function measure(subject: Subject, setup: RunSetup, round: number): Promise<Run> {
  const port = takePort();
  // As many warm-up requests for every run of a size: the JIT must be done before measuring.
  const files = await writeRunRequests(subject, setup, port, round);
  if (subject.kv) await emptyKvStores(setup.dir);
  const server = await startServer(subject, setup.pins.server, setup.dir, port);
  try {
    const figures = await underLoad(subject, setup, server, files);
    if (typeof figures === "string") return failedRun(figures, server.coldMs);
    await stopServer(server); // flushes the log before it is counted
    const { warmup, requests } = runSize(subject, setup);
    const unlogged = logFailure(subject, server, warmup + requests);
    if (unlogged) return failedRun(unlogged, server.coldMs);
    if (!subject.coldStarts) return { ok: true, ...figures, coldMs: NaN };
    // One start says little on a noisy machine: the median of a few.
    const more = await coldStarts(subject, setup.pins.server, setup.dir, COLD_STARTS - 1);
    return { ok: true, ...figures, coldMs: median([server.coldMs, ...more]) };
  } finally {
    await stopServer(server);
  }
}

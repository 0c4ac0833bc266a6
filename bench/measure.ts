/**
 * One measured run of the load benchmark: write the run's pre-signed
 * requests, start the server, warm it up, measure it under wrk, check its
 * log, time more cold starts and stop it.
 *
 * @module
 */

import { eventRequest, send } from "./http.ts";
import { cpuTicks, memoryMiB, type Pins } from "./machine.ts";
import {
  coldStarts,
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
  connections: number;
}

/** The figures a run measures under load; the cold start comes apart. */
type LoadFigures = Pick<Run, "rps" | "cpuUs" | "p50Ms" | "p99Ms" | "rssMiB">;

/** The run's request files, and the one request of a run that repeats one event. */
interface RequestFiles {
  warm: string;
  measured: string;
  same: string | undefined;
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

/** Writes the warm-up and measured requests, freshly signed (UserHub's window is 300 s). */
async function writeRunRequests(
  subject: Subject,
  setup: RunSetup,
  port: number,
  round: number,
  requests: number,
): Promise<RequestFiles> {
  const prefix = `${subject.key}${round}x${crypto.randomUUID().slice(0, 8)}x`;
  // One signed event, the same bytes for the warm-up and the measured run.
  const same = subject.ids === "same" ? eventRequest(port, `${prefix}w0`) : undefined;
  const warm = `${setup.dir}/warm`;
  const measured = `${setup.dir}/measure`;
  await writeRequestFile(warm, setup.warmup, (i) => same ?? eventRequest(port, `${prefix}w${i}`));
  await writeRequestFile(measured, requests, (i) => same ?? eventRequest(port, `${prefix}m${i}`));
  return { warm, measured, same };
}

/** Warms the server up and measures it under wrk; the figures, or why the run failed. */
async function underLoad(
  setup: RunSetup,
  server: Server,
  files: RequestFiles,
  requests: number,
): Promise<LoadFigures | string> {
  const { pins, warmup, connections } = setup;
  if (files.same !== undefined) {
    // The first delivery of the one event, alone: the load then only meets duplicates.
    const first = await send(server.port, new TextEncoder().encode(files.same));
    if (first !== 200) return `first delivery answered ${first ?? "nothing"}`;
  }
  const warm = await runWrk(pins.load, server.port, files.warm, warmup, connections);
  const warmFailure = wrkFailure(warm, warmup);
  if (warmFailure) return `warm-up: ${warmFailure}`;
  const before = cpuTicks(server.pid);
  const result = await runWrk(pins.load, server.port, files.measured, requests, connections);
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
  if (!subject.logs || subject.ids !== "distinct") return undefined;
  const logged = countOccurrences(server.stdout, "Event: organizations.changed");
  return logged < answered ? `${answered} events answered but ${logged} logged` : undefined;
}

/** One run of `subject`: start, warm up, measure, stop, then the median of more cold starts. */
export async function measure(subject: Subject, setup: RunSetup, round: number): Promise<Run> {
  const port = takePort();
  const requests = subject.kv ? Math.min(setup.requests, setup.kvRequests) : setup.requests;
  // As many warm-up requests for every run: the JIT must be done before measuring.
  const files = await writeRunRequests(subject, setup, port, round, requests);
  const server = await startServer(subject, setup.pins.server, setup.dir, port);
  try {
    const figures = await underLoad(setup, server, files, requests);
    if (typeof figures === "string") return failedRun(figures, server.coldMs);
    await stopServer(server); // flushes the log before it is counted
    const unlogged = logFailure(subject, server, setup.warmup + requests);
    if (unlogged) return failedRun(unlogged, server.coldMs);
    // One start says little on a noisy machine: the median of a few.
    const more = await coldStarts(subject, setup.pins.server, setup.dir, COLD_STARTS - 1);
    return { ok: true, ...figures, coldMs: median([server.coldMs, ...more]) };
  } finally {
    await stopServer(server);
  }
}

/**
 * The load benchmark: starts the project's server (the command of
 * `deno task start`, logging to a file) and a bare `Deno.serve` baseline one
 * after the other, A B A B, drives each with `wrk` and pre-signed requests
 * that each carry a new event id, and prints a table of throughput, server
 * CPU per request, latency, peak RSS and cold start, each with its ratio to
 * the baseline of the same rounds. Then it sends ten concurrent 100 MB bodies
 * and reports how much the server's peak RSS grew.
 *
 * Run it with `deno task bench` (or `deno run -A bench/load.ts --help`).
 *
 * @module
 */

import { createHmac } from "node:crypto";
import { organizationsChangedBody } from "./fixture.ts";

const HELP = `Usage: deno run -A bench/load.ts [options]

  --rounds=N        rounds of baseline and server runs (default 3)
  --requests=N      measured requests per run, each a new event (default 60000)
  --warmup=N        warm-up requests per run before measuring (default 10000)
  --kv-requests=N   measured requests of the runs with duplicate protection on (default 30000)
  --connections=N   wrk connections (default 32)
  --uploads=N       concurrent 100 MB uploads in the memory check (default 10; 0 skips it)
  --only=NAMES      comma-separated runs to do: bare,off,on,repeat
  --command=CMD     run CMD instead of the start task's command (for experiments)
`;

const SECRET = "whsec_bench_0123456789abcdef";
const ROOT = new URL("..", import.meta.url).pathname;
const LUA = new URL("./load.lua", import.meta.url).pathname;
const UPLOAD_BYTES = 100 * 1000 * 1000;
const UPLOAD_LIMIT_MIB = 64;
/** Starts per run whose median is the run's cold start. */
const COLD_STARTS = 5;
const encoder = new TextEncoder();

interface Options {
  rounds: number;
  requests: number;
  kvRequests: number;
  warmup: number;
  connections: number;
  uploads: number;
  only: Set<string> | undefined;
  command: string | undefined;
}

/** One kind of server run: the baseline or a configuration of the project. */
interface Subject {
  key: string;
  label: string;
  command: string;
  env: Record<string, string>;
  /** Whether every request carries a new event id, or all carry the same. */
  ids: "distinct" | "same";
  /** Whether the server logs a line per event (checked against the 2xx count). */
  logs: boolean;
  /** Whether Deno KV is used (fewer measured requests: the store grows with every new event). */
  kv?: boolean;
}

/** What one run measured. */
interface Run {
  ok: boolean;
  failure?: string;
  rps: number;
  cpuUs: number;
  p50Ms: number;
  p99Ms: number;
  rssMiB: number;
  coldMs: number;
}

interface WrkResult {
  requests: number;
  durationUs: number;
  non2xx: number;
  connectErrors: number;
  readErrors: number;
  writeErrors: number;
  timeouts: number;
  p50Us: number;
  p99Us: number;
}

function parseOptions(args: string[]): Options {
  const options: Options = {
    rounds: 3,
    requests: 60_000,
    kvRequests: 30_000,
    warmup: 10_000,
    connections: 32,
    uploads: 10,
    only: undefined,
    command: undefined,
  };
  for (const arg of args) {
    if (arg === "--help" || arg === "-h") {
      console.log(HELP);
      Deno.exit(0);
    }
    const match = /^--([\w-]+)=(.+)$/.exec(arg);
    if (match === null) throw new Error(`Unknown argument ${JSON.stringify(arg)}:\n${HELP}`);
    const [, name, value] = match as unknown as [string, string, string];
    if (name === "only") options.only = new Set(value.split(","));
    else if (name === "command") options.command = value;
    else if (name === "kv-requests" && /^\d+$/.test(value)) options.kvRequests = Number(value);
    else if (name in options && /^\d+$/.test(value)) {
      (options as unknown as Record<string, number>)[name] = Number(value);
    } else throw new Error(`Unknown or invalid option ${JSON.stringify(arg)}:\n${HELP}`);
  }
  return options;
}

// --- the machine ---------------------------------------------------------

async function run(
  command: string[],
  options: { quiet?: boolean } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const output = await new Deno.Command(command[0]!, {
    args: command.slice(1),
    stdout: "piped",
    stderr: options.quiet ? "piped" : "inherit",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: options.quiet ? decoder.decode(output.stderr) : "",
  };
}

async function has(program: string): Promise<boolean> {
  const result = await run(["sh", "-c", `command -v ${program}`], { quiet: true });
  return result.code === 0;
}

/** Installs wrk from Debian's packages when it is missing. */
async function ensureWrk(): Promise<void> {
  if (await has("wrk")) return;
  console.log("wrk is missing: installing it with apt-get (Debian package wrk)");
  const sudo = Deno.uid() === 0 ? [] : ["sudo"];
  let result = await run([...sudo, "apt-get", "install", "-y", "-qq", "wrk"], { quiet: true });
  if (result.code !== 0) {
    await run([...sudo, "apt-get", "update", "-qq"], { quiet: true });
    result = await run([...sudo, "apt-get", "install", "-y", "-qq", "wrk"], { quiet: true });
  }
  if (result.code !== 0 || !await has("wrk")) {
    throw new Error(`Cannot install wrk: apt-get install wrk failed:\n${result.stderr}`);
  }
}

/** The server's core and the load generator's, when there are two. */
async function cores(): Promise<{ server: string[]; load: string[]; note: string }> {
  const count = navigator.hardwareConcurrency;
  if (count < 2 || !await has("taskset")) {
    return { server: [], load: [], note: `${count} core(s): server and wrk share them` };
  }
  // This script idles while wrk runs; keep it, and its polling, off the server's core.
  await run(["taskset", "-a", "-c", "-p", "1", String(Deno.pid)], { quiet: true });
  return {
    server: ["taskset", "-c", "0"],
    load: ["taskset", "-c", "1"],
    note: "server pinned to core 0, wrk and this script to core 1",
  };
}

function procStat(pid: number): { cpuTicks: number } {
  const text = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  // Fields 14 and 15 of stat (utime, stime) are at 11 and 12 after the name.
  return { cpuTicks: Number(fields[11]) + Number(fields[12]) };
}

function procStatus(pid: number, field: "VmHWM" | "VmRSS"): number {
  const text = Deno.readTextFileSync(`/proc/${pid}/status`);
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(text);
  if (match === null) throw new Error(`Cannot read ${field} of process ${pid}`);
  return Number(match[1]) / 1024;
}

/** Resets the peak RSS to the current RSS; false where the kernel refuses. */
function resetPeakRss(pid: number): boolean {
  try {
    Deno.writeTextFileSync(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

async function clockTicks(): Promise<number> {
  const result = await run(["getconf", "CLK_TCK"], { quiet: true });
  return Number(result.stdout.trim()) || 100;
}

// --- requests ------------------------------------------------------------

function signature(timestamp: string, body: string): string {
  return createHmac("sha256", SECRET).update(`${timestamp}.${body}`).digest("hex");
}

function rawRequest(port: number, action: string, body: string, extra = ""): string {
  const timestamp = String(Math.floor(Date.now() / 1000));
  return `POST /webhook HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n` +
    `UserHub-Action: ${action}\r\nUserHub-Timestamp: ${timestamp}\r\n` +
    `UserHub-Signature: ${signature(timestamp, body)}\r\n` +
    `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n${extra}\r\n${body}`;
}

/**
 * Writes `count` pre-signed `events.handle` requests for wrk, freshly
 * timestamped (UserHub's window is 300 s), in one file per wrk thread.
 */
async function writeRequests(
  path: string,
  port: number,
  count: number,
  ids: "distinct" | "same",
  prefix: string,
): Promise<void> {
  const file = await Deno.open(`${path}.1`, { write: true, create: true, truncate: true });
  const writer = file.writable.getWriter();
  const same = ids === "same" ? sameRequest(port, prefix) : "";
  let batch = "";
  for (let i = 0; i < count; i++) {
    const request = ids === "same"
      ? same
      : rawRequest(port, "events.handle", body(`${prefix}${i}`));
    batch += String(request.length).padStart(8, "0") + request;
    if (batch.length > 1 << 20) {
      await writer.write(encoder.encode(batch));
      batch = "";
    }
  }
  await writer.write(encoder.encode(batch));
  await writer.close();
}

let repeated: { key: string; request: string } | undefined;

/** One signed request, the same bytes for the warm-up and the measured run. */
function sameRequest(port: number, prefix: string): string {
  const key = `${port}:${prefix.slice(0, -1)}`;
  if (repeated?.key !== key) {
    repeated = { key, request: rawRequest(port, "events.handle", body(`${prefix}0`)) };
  }
  return repeated.request;
}

/** The first request of a file written by {@linkcode writeRequests}. */
function firstRequest(path: string): Uint8Array {
  const file = Deno.openSync(path);
  try {
    const size = new Uint8Array(8);
    file.readSync(size);
    const request = new Uint8Array(Number(new TextDecoder().decode(size)));
    for (let read = 0; read < request.length;) {
      read += file.readSync(request.subarray(read)) ?? request.length;
    }
    return request;
  } finally {
    file.close();
  }
}

function body(id: string): string {
  return organizationsChangedBody(`evt_${id}`);
}

function challengeRequest(port: number): Uint8Array {
  const challenge = JSON.stringify({ challenge: "bench-cold-start" });
  return encoder.encode(rawRequest(port, "challenge", challenge, "Connection: close\r\n"));
}

// --- talking to the server -------------------------------------------------

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let offset = 0; offset < bytes.length;) offset += await conn.write(bytes.subarray(offset));
}

/** Reads the status code of an HTTP/1.1 response; undefined if the connection ends first. */
async function readStatus(conn: Deno.Conn): Promise<number | undefined> {
  const buffer = new Uint8Array(256);
  let text = "";
  while (!text.includes("\r\n")) {
    const n = await conn.read(buffer);
    if (n === null) return undefined;
    text += new TextDecoder().decode(buffer.subarray(0, n));
    if (text.length > 4096) return undefined;
  }
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(text);
  return match ? Number(match[1]) : undefined;
}

/** Sends one request on a fresh connection; the status, or undefined if refused. */
async function send(port: number, request: Uint8Array): Promise<number | undefined> {
  let conn: Deno.Conn;
  try {
    conn = await Deno.connect({ hostname: "127.0.0.1", port });
  } catch {
    return undefined;
  }
  try {
    await writeAll(conn, request);
    return await readStatus(conn);
  } catch {
    return undefined;
  } finally {
    conn.close();
  }
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

let nextPort = 18000 + Math.floor(Math.random() * 2000);

/** A started server: its process, port and log files. */
interface Started {
  child: Deno.ChildProcess;
  pid: number;
  port: number;
  coldMs: number;
  stdout: string;
  stderr: string;
}

async function start(
  subject: Subject,
  pin: string[],
  dir: string,
  port: number,
): Promise<Started> {
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
    cwd: ROOT,
    env: {
      ...subject.env,
      SIGNING_SECRET: SECRET,
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
  const ready = await firstSuccess(port, child);
  return { child, pid: child.pid, port, coldMs: ready - began, stdout, stderr };
}

async function stop(server: Started): Promise<void> {
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

/**
 * Runs wrk until every request was answered. wrk itself only stops at the end
 * of its `-d` duration, so the script prints WRK_DONE when the last answer
 * came and this sends it SIGINT, on which wrk reports the time actually taken.
 */
async function wrk(
  pin: string[],
  port: number,
  requests: string,
  count: number,
  connections: number,
): Promise<WrkResult> {
  const args = [
    "-t1",
    `-c${Math.min(connections, count)}`,
    "-d600s",
    "--timeout",
    "10s",
    "-s",
    LUA,
    `http://127.0.0.1:${port}/webhook`,
    "--",
    requests,
    String(count),
  ];
  const child = new Deno.Command(pin[0] ?? "wrk", {
    args: [...pin.slice(1), ...(pin.length ? ["wrk"] : []), ...args],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  let stdout = "";
  const decoder = new TextDecoder();
  for await (const chunk of child.stdout) {
    stdout += decoder.decode(chunk, { stream: true });
    if (stdout.includes("WRK_DONE\n") && !stdout.includes("WRK_RESULT ")) {
      try {
        child.kill("SIGINT");
      } catch {
        // Exited already.
      }
    }
  }
  const status = await child.status;
  const line = stdout.split("\n").find((l) => l.startsWith("WRK_RESULT "));
  if (line === undefined) {
    throw new Error(`wrk failed (exit ${status.code}):\n${stdout}\n${await stderr}`);
  }
  await stderr;
  return JSON.parse(line.slice("WRK_RESULT ".length));
}

function wrkFailure(result: WrkResult, expected: number): string | undefined {
  const problems = [];
  if (result.non2xx > 0) problems.push(`${result.non2xx} non-2xx`);
  const errors = result.connectErrors + result.readErrors + result.writeErrors + result.timeouts;
  if (errors > 0) problems.push(`${errors} socket errors or timeouts`);
  if (result.requests < expected) problems.push(`${result.requests} of ${expected} answered`);
  return problems.length ? problems.join(", ") : undefined;
}

function countLines(path: string, needle: string): number {
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

/** One run: start, warm up, measure, stop. */
async function measure(
  subject: Subject,
  options: Options,
  pins: { server: string[]; load: string[] },
  dir: string,
  ticks: number,
  round: number,
): Promise<Run> {
  const port = nextPort++;
  const requests = subject.kv ? Math.min(options.requests, options.kvRequests) : options.requests;
  // As many warm-up requests for every run: the JIT must be done before measuring.
  const warmup = options.warmup;
  const prefix = `${subject.key}${round}x${crypto.randomUUID().slice(0, 8)}x`;
  const warmFile = `${dir}/warm`;
  const measureFile = `${dir}/measure`;
  await writeRequests(warmFile, port, warmup, subject.ids, `${prefix}w`);
  await writeRequests(measureFile, port, requests, subject.ids, `${prefix}m`);
  const server = await start(subject, pins.server, dir, port);
  const failed = (failure: string): Run => ({
    ok: false,
    failure,
    rps: NaN,
    cpuUs: NaN,
    p50Ms: NaN,
    p99Ms: NaN,
    rssMiB: NaN,
    coldMs: server.coldMs,
  });
  try {
    if (subject.ids === "same") {
      // The first delivery of the one event, alone: the load then only meets duplicates.
      const first = await send(server.port, firstRequest(`${warmFile}.1`));
      if (first !== 200) return failed(`first delivery answered ${first ?? "nothing"}`);
    }
    const warm = await wrk(pins.load, server.port, warmFile, warmup, options.connections);
    const warmFailure = wrkFailure(warm, warmup);
    if (warmFailure) return failed(`warm-up: ${warmFailure}`);
    const before = procStat(server.pid).cpuTicks;
    const result = await wrk(
      pins.load,
      server.port,
      measureFile,
      requests,
      options.connections,
    );
    const after = procStat(server.pid).cpuTicks;
    const rssMiB = procStatus(server.pid, "VmHWM");
    const failure = wrkFailure(result, requests);
    if (failure) return failed(failure);
    await stop(server); // flushes the log before it is counted
    if (subject.logs && subject.ids === "distinct") {
      const logged = countLines(server.stdout, "Event: organizations.changed");
      const answered = warmup + requests;
      if (logged < answered) return failed(`${answered} events answered but ${logged} logged`);
    }
    // One start says little on a noisy machine: the median of a few.
    const colds = [server.coldMs];
    for (let i = 1; i < COLD_STARTS; i++) {
      const again = await start(subject, pins.server, dir, nextPort++);
      colds.push(again.coldMs);
      await stop(again);
    }
    return {
      ok: true,
      rps: result.requests / (result.durationUs / 1e6),
      cpuUs: (after - before) / ticks * 1e6 / result.requests,
      p50Ms: result.p50Us / 1000,
      p99Ms: result.p99Us / 1000,
      rssMiB,
      coldMs: median(colds),
    };
  } finally {
    await stop(server);
  }
}

// --- hostile uploads -------------------------------------------------------

/** Pushes a 100 MB body at /webhook; the status the server answered. */
async function upload(
  port: number,
  chunked: boolean,
  chunk: Uint8Array,
): Promise<{ status: number | undefined; sentMiB: number }> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const head = `POST /webhook HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n` +
    `UserHub-Action: events.handle\r\nUserHub-Timestamp: ${Math.floor(Date.now() / 1000)}\r\n` +
    `UserHub-Signature: ${"0".repeat(64)}\r\nContent-Type: application/json\r\n` +
    (chunked ? "Transfer-Encoding: chunked\r\n\r\n" : `Content-Length: ${UPLOAD_BYTES}\r\n\r\n`);
  const chunkHead = encoder.encode(`${chunk.length.toString(16)}\r\n`);
  const crlf = encoder.encode("\r\n");
  let sent = 0;
  const status = readStatus(conn).catch(() => undefined);
  try {
    await writeAll(conn, encoder.encode(head));
    while (sent < UPLOAD_BYTES) {
      const piece = chunk.subarray(0, Math.min(chunk.length, UPLOAD_BYTES - sent));
      if (chunked) {
        const size = piece.length === chunk.length
          ? chunkHead
          : encoder.encode(`${piece.length.toString(16)}\r\n`);
        await writeAll(conn, size);
      }
      await writeAll(conn, piece);
      if (chunked) await writeAll(conn, crlf);
      sent += piece.length;
    }
    if (chunked) await writeAll(conn, encoder.encode("0\r\n\r\n"));
  } catch {
    // The server closed the connection after refusing the body: expected.
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const answered = await Promise.race([
    status,
    new Promise<undefined>((resolve) => timer = setTimeout(() => resolve(undefined), 30_000)),
  ]);
  clearTimeout(timer);
  conn.close();
  return { status: answered, sentMiB: sent / 1024 / 1024 };
}

interface UploadResult {
  label: string;
  statuses: string;
  growthMiB: number;
  sentMiB: number;
  ok: boolean;
}

async function hostileUploads(
  subject: Subject,
  options: Options,
  pins: { server: string[] },
  dir: string,
): Promise<UploadResult[]> {
  const port = nextPort++;
  const server = await start(subject, pins.server, dir, port);
  const results: UploadResult[] = [];
  const chunk = new Uint8Array(64 * 1024).fill(0x20);
  try {
    for (const chunked of [false, true]) {
      const label = chunked ? "chunked, no length" : "Content-Length: 100 MB";
      const base = resetPeakRss(server.pid)
        ? procStatus(server.pid, "VmRSS")
        : procStatus(server.pid, "VmHWM");
      const answers = await Promise.all(
        Array.from({ length: options.uploads }, () => upload(port, chunked, chunk)),
      );
      const growthMiB = procStatus(server.pid, "VmHWM") - base;
      const counts = new Map<string, number>();
      for (const { status } of answers) {
        const key = String(status ?? "none");
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      const alive = await send(port, challengeRequest(port));
      results.push({
        label,
        statuses: [...counts].map(([status, n]) => `${n}× ${status}`).join(", ") +
          (alive === 200 ? "" : `; then a challenge got ${alive ?? "no answer"}`),
        growthMiB,
        sentMiB: Math.max(...answers.map((answer) => answer.sentMiB)),
        ok: answers.every((answer) => answer.status === 413) && growthMiB <= UPLOAD_LIMIT_MIB &&
          alive === 200,
      });
    }
  } finally {
    await stop(server);
  }
  return results;
}

// --- statistics and the table ------------------------------------------

const METRICS = [
  { key: "rps", title: "req/s", digits: 0 },
  { key: "cpuUs", title: "CPU µs/req", digits: 1 },
  { key: "p50Ms", title: "p50 ms", digits: 2 },
  { key: "p99Ms", title: "p99 ms", digits: 2 },
  { key: "rssMiB", title: "peak RSS MiB", digits: 0 },
  { key: "coldMs", title: "cold start ms", digits: 0 },
] as const;

type MetricKey = typeof METRICS[number]["key"];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function format(value: number, digits: number): string {
  return value.toLocaleString("en-US", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

function table(subjects: Subject[], runs: Map<string, Run[]>, baseline: string): string {
  const lines = [
    `| server | ${METRICS.map((metric) => metric.title).join(" | ")} |`,
    `| --- | ${METRICS.map(() => "---").join(" | ")} |`,
  ];
  const base = (runs.get(baseline) ?? []).filter((r) => r.ok);
  for (const subject of subjects) {
    const all = runs.get(subject.key) ?? [];
    const good = all.filter((r) => r.ok);
    if (good.length === 0) {
      lines.push(`| ${subject.label} | FAILED: ${all.map((r) => r.failure).join("; ")} |`);
      continue;
    }
    const cells = METRICS.map(({ key, digits }) => {
      const values = good.map((r) => r[key as MetricKey]);
      let cell = `${format(median(values), digits)} (${format(Math.min(...values), digits)}–${
        format(Math.max(...values), digits)
      })`;
      if (subject.key !== baseline && base.length > 0) {
        cell += ` **×${
          (median(values) / median(base.map((r) => r[key as MetricKey]))).toFixed(2)
        }**`;
      }
      return cell;
    });
    const failedRuns = all.length - good.length;
    const note = failedRuns
      ? ` (${failedRuns} failed run(s): ${
        all.filter((r) => !r.ok).map((r) => r.failure).join("; ")
      })`
      : "";
    lines.push(`| ${subject.label}${note} | ${cells.join(" | ")} |`);
  }
  return lines.join("\n");
}

/** Ratios of each run to the baseline run of the same round. */
function pairedRatios(runs: Map<string, Run[]>, key: string, baseline: string): number[] {
  const mine = runs.get(key) ?? [];
  const base = runs.get(baseline) ?? [];
  const ratios = [];
  for (let i = 0; i < Math.min(mine.length, base.length); i++) {
    if (mine[i]!.ok && base[i]!.ok) ratios.push(mine[i]!.cpuUs / base[i]!.cpuUs);
  }
  return ratios;
}

// --- main --------------------------------------------------------------------

function startCommand(): string {
  const config = JSON.parse(Deno.readTextFileSync(`${ROOT}/deno.json`));
  const command = config.tasks?.start;
  const text = typeof command === "string" ? command : command?.command;
  if (typeof text !== "string") throw new Error("Cannot find the start task in deno.json");
  return text;
}

/** Whether this checkout has duplicate protection that `DEDUPE=off` switches off. */
function hasDedupe(): boolean {
  try {
    return Deno.readTextFileSync(`${ROOT}/config.ts`).includes("DEDUPE");
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  const options = parseOptions(Deno.args);
  await ensureWrk();
  const pins = await cores();
  const ticks = await clockTicks();
  const dir = await Deno.makeTempDir({ prefix: "userhub-bench-" });
  const command = options.command ?? startCommand();
  const dedupe = hasDedupe();
  const cpu = /^model name\s*:\s*(.+)$/m.exec(Deno.readTextFileSync("/proc/cpuinfo"))?.[1];
  // The table names what ran: the start task, or the command given instead.
  const server = options.command === undefined ? "`deno task start`" : "the --command server";

  const all: Subject[] = [
    {
      key: "bare",
      label: "bare `Deno.serve` (baseline)",
      command: "deno run --allow-net --allow-env=PORT bench/bare.ts",
      env: {},
      ids: "distinct",
      logs: false,
    },
    {
      key: "off",
      label: dedupe ? `${server}, DEDUPE=off` : server,
      command,
      env: dedupe ? { DEDUPE: "off" } : {},
      ids: "distinct",
      logs: true,
    },
  ];
  if (dedupe) {
    all.push({
      key: "repeat",
      label: `${server}, dedupe on, one event id repeated`,
      command,
      env: {},
      ids: "same",
      logs: true,
      kv: true,
    }, {
      key: "on",
      label: `${server}, dedupe on, every event new`,
      command,
      env: {},
      ids: "distinct",
      logs: true,
      kv: true,
    });
  }
  const subjects = all.filter((s) => s.key === "bare" || !options.only || options.only.has(s.key));

  console.log(`deno ${Deno.version.deno}, ${cpu ?? "unknown CPU"}, ${pins.note}`);
  console.log(`server command: ${command} (stdout and stderr to files)`);
  if (!dedupe) console.log("no duplicate protection in this checkout: measuring what exists");
  console.log(
    `${options.rounds} rounds; per run ${options.warmup} warm-up + ${options.requests} measured ` +
      `(with Deno KV: ${options.warmup} + ` +
      `${Math.min(options.requests, options.kvRequests)}) ` +
      `signed organizations.changed calls (${body("x").length} bytes), each a new event id ` +
      `(except "repeated"), wrk -t1 -c${options.connections}\n`,
  );

  // One untimed start of each, so every measured cold start finds Deno's
  // caches (in the private DENO_DIR) and the OS page cache warm.
  for (const subject of subjects) await stop(await start(subject, pins.server, dir, nextPort++));

  const runs = new Map<string, Run[]>();
  for (let round = 1; round <= options.rounds; round++) {
    for (const subject of subjects) {
      let result: Run;
      try {
        result = await measure(subject, options, pins, dir, ticks, round);
      } catch (error) {
        result = {
          ok: false,
          failure: error instanceof Error ? error.message : String(error),
          rps: NaN,
          cpuUs: NaN,
          p50Ms: NaN,
          p99Ms: NaN,
          rssMiB: NaN,
          coldMs: NaN,
        };
      }
      runs.set(subject.key, [...runs.get(subject.key) ?? [], result]);
      console.log(
        `round ${round} ${subject.key.padEnd(6)} ` +
          (result.ok
            ? `${format(result.rps, 0)} req/s, ${format(result.cpuUs, 1)} µs CPU/req, ` +
              `p50 ${format(result.p50Ms, 2)} ms, p99 ${format(result.p99Ms, 2)} ms, ` +
              `RSS ${format(result.rssMiB, 0)} MiB, cold ${format(result.coldMs, 0)} ms`
            : `FAILED: ${result.failure}`),
      );
    }
  }

  console.log("\nMedian (min–max) over the rounds; ×ratio = median / baseline median.\n");
  console.log(table(subjects, runs, "bare"));
  console.log("");
  for (const subject of subjects.slice(1)) {
    const ratios = pairedRatios(runs, subject.key, "bare");
    if (ratios.length === 0) continue;
    console.log(
      `CPU per request, ${subject.key} / baseline of the same round: ${
        ratios.map((r) => r.toFixed(2)).join(", ")
      } (median ${median(ratios).toFixed(2)})`,
    );
  }
  const off = runs.get("off")?.filter((r) => r.ok) ?? [];
  const on = runs.get("on")?.filter((r) => r.ok) ?? [];
  if (off.length && on.length) {
    const cpu = median(on.map((r) => r.cpuUs)) - median(off.map((r) => r.cpuUs));
    const p50 = median(on.map((r) => r.p50Ms)) - median(off.map((r) => r.p50Ms));
    console.log(
      `Deno KV claim and record (dedupe on, every event new, minus DEDUPE=off): ` +
        `+${format(cpu, 1)} µs server CPU and +${format(p50, 2)} ms p50 per request`,
    );
  }

  if (options.uploads > 0) {
    console.log(
      `\nHostile uploads: ${options.uploads} concurrent 100 MB bodies to /webhook ` +
        `(limit: every one refused with 413, peak RSS growth ≤ ${UPLOAD_LIMIT_MIB} MiB)`,
    );
    const uploads = await hostileUploads(subjects[1] ?? all[1]!, options, pins, dir);
    for (const result of uploads) {
      console.log(
        `  ${result.label.padEnd(24)} ${
          result.ok ? "ok    " : "FAILED"
        } answers: ${result.statuses}; ` +
          `peak RSS +${format(result.growthMiB, 1)} MiB; client got to send ${
            format(result.sentMiB, 1)
          } MiB before the server closed`,
      );
    }
  }
  await Deno.remove(dir, { recursive: true });
}

if (import.meta.main) await main();

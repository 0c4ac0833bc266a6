/**
 * The load benchmark: starts, one after the other in each round, UserHub's
 * SDK as its guide serves it and with a no-op handler (the peers, from
 * `../shared/peers/` when it is there), a bare `Deno.serve`, the floor
 * (`bench/floor.ts`) and the project's server (the command of `deno task
 * start`, logging to a file) in each configuration, and the large event's
 * runs; drives each with `wrk` and pre-signed requests, and prints one table
 * of server CPU per request, throughput, p99 latency, peak RSS and cold start,
 * each with its ratio to the SDK's run of the same round, then the targets.
 * Then it sends ten concurrent 100 MB bodies to the project's server and
 * reports how much its peak RSS grew. With `--only=...,otel` it also runs the
 * server with Deno's OpenTelemetry on, exporting to a sink in this process.
 *
 * Run it with `deno task bench` (or `deno run -A bench/load.ts --help`).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { eventBody } from "./http.ts";
import { clockTicks, cpuModel, ensureWrk, pinCores } from "./machine.ts";
import { failedRun, measure, type Run, type RunSetup } from "./measure.ts";
import { type OtlpSink, startOtlpSink } from "./otlp_sink.ts";
import { PROJECT_ROOT, startServer, stopServer, type Subject, takePort } from "./servers.ts";
import {
  allSubjects,
  baselineKey,
  chosenSubjects,
  hasDedupe,
  hasPeers,
  RUN_NAMES,
  startTaskCommand,
} from "./subjects.ts";
import { kvCostLine, markdownTable, runLine, type Runs, targetLines } from "./table.ts";
import { hostileUploads, uploadLine, uploadsHeading } from "./uploads.ts";

const HELP = `Usage: deno run -A bench/load.ts [options]
       deno task bench -- [options]

  --rounds=N          rounds, each a run of every server (default 5)
  --requests=N        measured requests per run, each a new event (default 30000)
  --warmup=N          warm-up requests per run before measuring (default 5000)
  --kv-requests=N     measured requests of the runs with duplicate protection on (default 15000)
  --large-requests=N  measured requests of the 256 KiB event's runs, a quarter as many
                      to warm up (default 1000; 0 skips those runs)
  --connections=N     wrk connections (default 32)
  --uploads=N         concurrent 100 MB uploads in the memory check (default 10; 0 skips it)
  --only=NAMES        comma-separated runs to do, of: ${RUN_NAMES.join(",")};
                      otel (the start command with DEDUPE=off and OpenTelemetry on) only
                      runs when named; the SDK's run (sdk), which every ratio is taken
                      to, always runs (bare without the peers), and so does sdk-256k
                      with a 256 KiB run
  --command=CMD       run CMD instead of the start task's command (for experiments)
  -h, --help        print this help
`;

/** The command line's choices. */
interface Options {
  help: boolean;
  rounds: number;
  requests: number;
  kvRequests: number;
  largeRequests: number;
  warmup: number;
  connections: number;
  uploads: number;
  /** The runs named by `--only`; undefined for the default set. */
  only: Set<string> | undefined;
  command: string | undefined;
}

/** A mistake on the command line; its message is one line. */
class UsageError extends Error {}

/** The value of a whole-number option: `fallback` when absent, at least `least`. */
function wholeNumber(
  name: string,
  value: string | undefined,
  fallback: number,
  least: number,
): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < least) {
    throw new UsageError(`Invalid option --${name}: "${value}" is not a whole number ≥ ${least}`);
  }
  return Number(value);
}

/** The runs named by `--only`, each checked against {@linkcode RUN_NAMES}. */
function runNames(value: string | undefined): Set<string> | undefined {
  if (value === undefined) return undefined;
  const names = new Set(value.split(","));
  for (const name of names) {
    if (!(RUN_NAMES as readonly string[]).includes(name)) {
      throw new UsageError(
        `Invalid option --only: unknown run "${name}" (the runs are ${RUN_NAMES.join(", ")})`,
      );
    }
  }
  return names;
}

/** Reads the options; a leading `--`, which `deno task bench -- ...` passes on, is ignored. */
function parseOptions(args: string[]): Options {
  let values;
  try {
    ({ values } = parseArgs({
      args: args[0] === "--" ? args.slice(1) : args,
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: "boolean", short: "h" },
        rounds: { type: "string" },
        requests: { type: "string" },
        warmup: { type: "string" },
        "kv-requests": { type: "string" },
        "large-requests": { type: "string" },
        connections: { type: "string" },
        uploads: { type: "string" },
        only: { type: "string" },
        command: { type: "string" },
      },
    }));
  } catch (error) {
    // parseArgs says which option and what is wrong in its first sentence.
    const detail = (error as Error).message.split(". ")[0]!;
    throw new UsageError(`Invalid options: ${detail[0]?.toLowerCase()}${detail.slice(1)}`);
  }
  if (values.command === "") throw new UsageError(`Invalid option --command: it is empty`);
  return {
    help: values.help ?? false,
    rounds: wholeNumber("rounds", values.rounds, 5, 1),
    requests: wholeNumber("requests", values.requests, 30_000, 1),
    kvRequests: wholeNumber("kv-requests", values["kv-requests"], 15_000, 1),
    largeRequests: wholeNumber("large-requests", values["large-requests"], 1_000, 0),
    warmup: wholeNumber("warmup", values.warmup, 5_000, 1),
    connections: wholeNumber("connections", values.connections, 32, 1),
    uploads: wholeNumber("uploads", values.uploads, 10, 0),
    only: runNames(values.only),
    command: values.command,
  };
}

/**
 * The commit the checkout is at, and how many of its files differ from it (a
 * shared working tree may change between two runs). Read only: git takes no
 * lock and writes nothing.
 */
async function checkout(): Promise<string> {
  const git = async (...args: string[]) => {
    const output = await new Deno.Command("git", {
      args: ["--no-optional-locks", "-C", PROJECT_ROOT, ...args],
      stdout: "piped",
      stderr: "null",
    }).output().catch(() => undefined);
    return output?.success ? new TextDecoder().decode(output.stdout).trim() : undefined;
  };
  const commit = await git("log", "-1", "--format=%h %cd", "--date=format:%Y-%m-%d %H:%M");
  if (commit === undefined) return "not a git checkout";
  const changed = (await git("status", "--porcelain", "--untracked-files=no"))?.split("\n")
    .filter((line) => line !== "").length ?? 0;
  return `commit ${commit}` + (changed ? `, ${changed} tracked file(s) changed since` : "");
}

/** What runs, on what, and how many requests: the lines above the runs' lines. */
async function printHeader(
  options: Options,
  pinNote: string,
  command: string,
  dedupe: boolean,
): Promise<void> {
  console.log(`deno ${Deno.version.deno}, ${cpuModel() ?? "unknown CPU"}, ${pinNote}`);
  console.log(`server command: ${command} (stdout and stderr to files)`);
  console.log(`project: ${await checkout()}`);
  if (!dedupe) console.log("no duplicate protection in this checkout: measuring what exists");
  console.log(
    `${options.rounds} round(s); per run ${options.warmup} warm-up + ${options.requests} measured ` +
      `(with Deno KV: ${options.warmup} + ` +
      `${Math.min(options.requests, options.kvRequests)}) ` +
      `signed organizations.changed calls (${eventBody("x").length} bytes), each a new event id ` +
      `(except "repeat"); 256 KiB event: ${Math.ceil(options.largeRequests / 4)} + ` +
      `${options.largeRequests}, one signed request sent again; wrk -t1 -c${options.connections}\n`,
  );
}

/**
 * The order of a round's runs: each run the targets compare (DEDUPE=off with
 * the SDK and the floor, the duplicate check with DEDUPE=off, the 256 KiB
 * runs with each other) close to the other, since the machine's load drifts.
 */
const RUN_ORDER = [
  "sdk-noop",
  "bare",
  "floor",
  "off",
  "sdk",
  "on",
  "repeat",
  "otel",
  "floor-256k",
  "off-256k",
  "sdk-256k",
];

/**
 * Every round: each subject's run in turn, its line printed as it ends. Every
 * other round runs them in the reverse order, so that a steady drift of the
 * machine's load weighs on both runs of a pair alike.
 */
async function runRounds(
  subjects: Subject[],
  setup: RunSetup,
  rounds: number,
  sink: OtlpSink | undefined,
): Promise<Runs> {
  const runs: Runs = new Map(subjects.map((subject) => [subject.key, []]));
  const order = [...subjects].sort((a, b) => RUN_ORDER.indexOf(a.key) - RUN_ORDER.indexOf(b.key));
  for (let round = 1; round <= rounds; round++) {
    for (const subject of round % 2 ? order : [...order].reverse()) {
      sink?.take(); // counts start again: what the line after an otel run shows is its own
      let result: Run;
      try {
        result = await measure(subject, setup, round);
      } catch (error) {
        result = failedRun(error instanceof Error ? error.message : String(error));
      }
      runs.get(subject.key)!.push(result);
      console.log(runLine(round, subject.key, result));
      if (subject.key === "otel" && sink) console.log(`                 ${sink.take()}`);
    }
  }
  return runs;
}

/** The table, the targets and the cost of Deno KV. */
function printSummary(subjects: Subject[], runs: Runs, baseline: string): void {
  const versus = subjects.find((s) => s.key === baseline)?.label ?? baseline;
  console.log(
    `\nEach figure: median (min–max) over the rounds. ×: the ratio to ${versus} ` +
      `(the 256 KiB rows: to its 256 KiB row) in the same round, median in bold, then ` +
      `round by round; for req/s higher is better, for the others lower.\n`,
  );
  console.log(markdownTable(subjects, runs, baseline));
  const targets = targetLines(runs);
  if (targets.length) console.log(`\nTargets (ratios of the same round):\n${targets.join("\n")}`);
  const kvCost = kvCostLine(runs);
  if (kvCost !== undefined) console.log(`\n${kvCost}`);
}

/** The hostile uploads check against `subject`, and its lines. */
async function checkUploads(subject: Subject, count: number, setup: RunSetup): Promise<void> {
  console.log(`\n${uploadsHeading(count)}`);
  const results = await hostileUploads(subject, count, setup.pins.server, setup.dir);
  for (const result of results) console.log(uploadLine(result));
}

/** Warms every subject's start up, runs the rounds and prints what they measured. */
async function bench(options: Options, setup: RunSetup, sink: OtlpSink | undefined) {
  const command = options.command ?? startTaskCommand();
  const dedupe = hasDedupe();
  const peers = hasPeers();
  if (!peers) console.log("peers skipped: ../shared/peers not found");
  // The table names what ran: the start task, or the command given instead.
  const name = options.command === undefined ? "`deno task start`" : "the --command server";
  const all = allSubjects({ command, name, dedupe, otlpEndpoint: sink?.endpoint, peers })
    .filter((s) => s.size === "small" || options.largeRequests > 0);
  const baseline = baselineKey(peers);
  const subjects = chosenSubjects(all, options.only, baseline);
  await printHeader(options, setup.pins.note, command, dedupe);

  // One untimed start of each command, so every measured cold start finds
  // Deno's caches (in the private DENO_DIR) and the OS page cache warm.
  const commands = new Set<string>();
  for (const subject of subjects) {
    if (commands.has(subject.command)) continue;
    commands.add(subject.command);
    await stopServer(await startServer(subject, setup.pins.server, setup.dir, takePort()));
  }
  const runs = await runRounds(subjects, setup, options.rounds, sink);
  printSummary(subjects, runs, baseline);
  const project = all.find((s) => s.key === "off")!;
  if (options.uploads > 0) await checkUploads(project, options.uploads, setup);
}

/** Reads the options, readies the machine, runs the benchmark and cleans up. */
async function main(): Promise<void> {
  let options: Options;
  try {
    options = parseOptions(Deno.args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message} (--help lists the options)`);
    Deno.exit(2);
  }
  if (options.help) return console.log(HELP);
  await ensureWrk();
  const pins = await pinCores();
  const ticks = await clockTicks();
  const dir = await Deno.makeTempDir({ prefix: "userhub-bench-" });
  const sink = options.only?.has("otel") ? startOtlpSink() : undefined;
  const { warmup, requests, kvRequests, largeRequests, connections } = options;
  const setup = { pins, ticks, dir, warmup, requests, kvRequests, largeRequests, connections };
  try {
    await bench(options, setup, sink);
  } finally {
    await sink?.close();
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) await main();

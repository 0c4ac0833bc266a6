/**
 * The load benchmark: starts the project's server (the command of
 * `deno task start`, logging to a file) and a bare `Deno.serve` baseline one
 * after the other, A B A B, drives each with `wrk` and pre-signed requests
 * that each carry a new event id, and prints a table of throughput, server
 * CPU per request, latency, peak RSS and cold start, each with its ratio to
 * the baseline of the same rounds. Then it sends ten concurrent 100 MB bodies
 * and reports how much the server's peak RSS grew. With `--only=...,otel` it
 * also runs the server with Deno's OpenTelemetry on, exporting to a sink in
 * this process.
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
import { startServer, stopServer, type Subject, takePort } from "./servers.ts";
import { allSubjects, chosenSubjects, hasDedupe, RUN_NAMES, startTaskCommand } from "./subjects.ts";
import { kvCostLine, markdownTable, roundRatioLines, runLine, type Runs } from "./table.ts";
import { hostileUploads, uploadLine, uploadsHeading } from "./uploads.ts";

const HELP = `Usage: deno run -A bench/load.ts [options]
       deno task bench -- [options]

  --rounds=N        rounds of baseline and server runs (default 3)
  --requests=N      measured requests per run, each a new event (default 60000)
  --warmup=N        warm-up requests per run before measuring (default 10000)
  --kv-requests=N   measured requests of the runs with duplicate protection on (default 30000)
  --connections=N   wrk connections (default 32)
  --uploads=N       concurrent 100 MB uploads in the memory check (default 10; 0 skips it)
  --only=NAMES      comma-separated runs to do: bare,off,on,repeat; also otel (the start
                    command with DEDUPE=off and OpenTelemetry on), which only runs when named
  --command=CMD     run CMD instead of the start task's command (for experiments)
  -h, --help        print this help
`;

/** The command line's choices. */
interface Options {
  help: boolean;
  rounds: number;
  requests: number;
  kvRequests: number;
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
    rounds: wholeNumber("rounds", values.rounds, 3, 1),
    requests: wholeNumber("requests", values.requests, 60_000, 1),
    kvRequests: wholeNumber("kv-requests", values["kv-requests"], 30_000, 1),
    warmup: wholeNumber("warmup", values.warmup, 10_000, 1),
    connections: wholeNumber("connections", values.connections, 32, 1),
    uploads: wholeNumber("uploads", values.uploads, 10, 0),
    only: runNames(values.only),
    command: values.command,
  };
}

/** What runs, on what, and how many requests: the lines above the runs' lines. */
function printHeader(options: Options, pinNote: string, command: string, dedupe: boolean): void {
  console.log(`deno ${Deno.version.deno}, ${cpuModel() ?? "unknown CPU"}, ${pinNote}`);
  console.log(`server command: ${command} (stdout and stderr to files)`);
  if (!dedupe) console.log("no duplicate protection in this checkout: measuring what exists");
  console.log(
    `${options.rounds} rounds; per run ${options.warmup} warm-up + ${options.requests} measured ` +
      `(with Deno KV: ${options.warmup} + ` +
      `${Math.min(options.requests, options.kvRequests)}) ` +
      `signed organizations.changed calls (${eventBody("x").length} bytes), each a new event id ` +
      `(except "repeated"), wrk -t1 -c${options.connections}\n`,
  );
}

/** Every round: each subject's run in turn, its line printed as it ends. */
async function runRounds(
  subjects: Subject[],
  setup: RunSetup,
  rounds: number,
  sink: OtlpSink | undefined,
): Promise<Runs> {
  const runs: Runs = new Map();
  for (let round = 1; round <= rounds; round++) {
    for (const subject of subjects) {
      sink?.take(); // counts start again: what the line after an otel run shows is its own
      let result: Run;
      try {
        result = await measure(subject, setup, round);
      } catch (error) {
        result = failedRun(error instanceof Error ? error.message : String(error));
      }
      runs.set(subject.key, [...runs.get(subject.key) ?? [], result]);
      console.log(runLine(round, subject.key, result));
      if (subject.key === "otel" && sink) console.log(`               ${sink.take()}`);
    }
  }
  return runs;
}

/** The table, the ratios of each round and the cost of Deno KV. */
function printSummary(subjects: Subject[], runs: Runs): void {
  console.log("\nMedian (min–max) over the rounds; ×ratio = median / baseline median.\n");
  console.log(markdownTable(subjects, runs, "bare"));
  console.log("");
  for (const line of roundRatioLines(subjects, runs, "bare")) console.log(line);
  const kvCost = kvCostLine(runs);
  if (kvCost !== undefined) console.log(kvCost);
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
  // The table names what ran: the start task, or the command given instead.
  const name = options.command === undefined ? "`deno task start`" : "the --command server";
  const all = allSubjects({ command, name, dedupe, otlpEndpoint: sink?.endpoint });
  const subjects = chosenSubjects(all, options.only);
  printHeader(options, setup.pins.note, command, dedupe);

  // One untimed start of each, so every measured cold start finds Deno's
  // caches (in the private DENO_DIR) and the OS page cache warm.
  for (const subject of subjects) {
    await stopServer(await startServer(subject, setup.pins.server, setup.dir, takePort()));
  }
  const runs = await runRounds(subjects, setup, options.rounds, sink);
  printSummary(subjects, runs);
  if (options.uploads > 0) await checkUploads(subjects[1] ?? all[1]!, options.uploads, setup);
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
  const { warmup, requests, kvRequests, connections } = options;
  try {
    await bench(options, { pins, ticks, dir, warmup, requests, kvRequests, connections }, sink);
  } finally {
    await sink?.close();
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) await main();

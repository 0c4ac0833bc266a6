/**
 * What the load benchmark prints about its runs: the line of each run, and
 * the one markdown table: each figure's median (min–max) over the rounds, and
 * its ratio to the baseline run of the same round, for each round and their
 * median. Then the targets, each a ratio of two rows, and the cost of Deno KV.
 *
 * @module
 */

import type { Run } from "./measure.ts";

/** A figure of a run. */
type Metric = "cpuUs" | "rps" | "p50Ms" | "p99Ms" | "rssMiB" | "coldMs";

/** The columns of the table: a figure of a run, its title and its decimals. */
const METRICS: readonly { key: Metric; title: string; digits: number }[] = [
  { key: "cpuUs", title: "CPU µs/req", digits: 1 },
  { key: "rps", title: "req/s", digits: 0 },
  { key: "p99Ms", title: "p99 ms", digits: 2 },
  { key: "rssMiB", title: "peak RSS MiB", digits: 0 },
  { key: "coldMs", title: "cold start ms", digits: 0 },
];

/** The runs of each subject, by its key, in the order of the rounds. */
export type Runs = Map<string, Run[]>;

/** A row of the table: the run's key, its label, and the key its ratios are taken to. */
interface Row {
  key: string;
  label: string;
  versus?: string;
}

/** The median of `values` (the mean of the middle two when their count is even). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** `value` with thousands separators and exactly `digits` decimals. */
export function format(value: number, digits: number): string {
  return value.toLocaleString("en-US", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

/** The line printed after each run, e.g. `round 1 off    13,024 req/s, ...`. */
export function runLine(round: number, key: string, run: Run): string {
  const cold = Number.isNaN(run.coldMs) ? "" : `, cold ${format(run.coldMs, 0)} ms`;
  return `round ${round} ${key.padEnd(10)} ` +
    (run.ok
      ? `${format(run.rps, 0)} req/s, ${format(run.cpuUs, 1)} µs CPU/req, ` +
        `p50 ${format(run.p50Ms, 2)} ms, p99 ${format(run.p99Ms, 2)} ms, ` +
        `RSS ${format(run.rssMiB, 0)} MiB${cold}`
      : `FAILED: ${run.failure}`);
}

/** The figure of each round's run, NaN where the run failed or has none. */
function figures(runs: Runs, key: string, metric: Metric): number[] {
  return (runs.get(key) ?? []).map((run) => run.ok ? run[metric] : NaN);
}

/**
 * The ratio of `key`'s figure to `versus`'s, round by round: a round where
 * either failed, or has no such figure, has none.
 */
export function pairedRatios(runs: Runs, key: string, versus: string, metric: Metric): number[] {
  const mine = figures(runs, key, metric);
  const theirs = figures(runs, versus, metric);
  const ratios = [];
  for (let i = 0; i < Math.min(mine.length, theirs.length); i++) {
    const ratio = mine[i]! / theirs[i]!;
    if (Number.isFinite(ratio)) ratios.push(ratio);
  }
  return ratios;
}

/** The median (min–max) of the good runs' figures; a dash when there are none. */
function valueCell(runs: Runs, key: string, metric: Metric, digits: number): string {
  const values = figures(runs, key, metric).filter((value) => !Number.isNaN(value));
  if (values.length === 0) return "–";
  const [least, most] = [Math.min(...values), Math.max(...values)];
  return `${format(median(values), digits)} (${format(least, digits)}–${format(most, digits)})`;
}

/** The median ratio in bold, then each round's: `**0.78** (0.77 0.80 0.78)`. */
function ratioCell(ratios: number[]): string {
  if (ratios.length === 0) return "–";
  return `**${median(ratios).toFixed(2)}** (${ratios.map((r) => r.toFixed(2)).join(" ")})`;
}

function failures(runs: Run[]): string {
  return runs.filter((r) => !r.ok).map((r) => r.failure).join("; ");
}

/**
 * The markdown table: for each row and figure, the median (min–max) over its
 * good runs, and its ratio to the row it is compared with (the `baseline`
 * row unless the row names another), round by round and their median.
 */
export function markdownTable(rows: Row[], runs: Runs, baseline: string): string {
  const titles = METRICS.flatMap((m) => [m.title, "×"]);
  const lines = [
    `| server | ${titles.join(" | ")} |`,
    `| --- | ${titles.map(() => "---").join(" | ")} |`,
  ];
  for (const row of rows) {
    const all = runs.get(row.key) ?? [];
    const good = all.filter((r) => r.ok).length;
    if (good === 0) {
      lines.push(`| ${row.label} | FAILED: ${failures(all)} |`);
      continue;
    }
    const versus = row.versus ?? baseline;
    const cells = METRICS.flatMap(({ key, digits }) => [
      valueCell(runs, row.key, key, digits),
      row.key === versus ? "1" : ratioCell(pairedRatios(runs, row.key, versus, key)),
    ]);
    const failedRuns = all.length - good;
    const note = failedRuns ? ` (${failedRuns} failed run(s): ${failures(all)})` : "";
    lines.push(`| ${row.label}${note} | ${cells.join(" | ")} |`);
  }
  return lines.join("\n");
}

/** A target of the issue: a ratio of two rows' figures, and its bound. */
interface Target {
  what: string;
  key: string;
  versus: string;
  metric: Metric;
  /** The most the median ratio may be; with `below`, it must be less. */
  bound: number;
  below?: boolean;
}

/** The targets, each the median of the ratios of the same round. */
const TARGETS: readonly Target[] = [
  { what: "CPU/req, DEDUPE=off / SDK", key: "off", versus: "sdk", metric: "cpuUs", bound: 0.7 },
  { what: "CPU/req, DEDUPE=off / floor", key: "off", versus: "floor", metric: "cpuUs", bound: 1.1 },
  {
    what: "peak RSS, DEDUPE=off / SDK",
    key: "off",
    versus: "sdk",
    metric: "rssMiB",
    bound: 1,
    below: true,
  },
  {
    what: "peak RSS, DEDUPE=off / floor",
    key: "off",
    versus: "floor",
    metric: "rssMiB",
    bound: 1.15,
  },
  {
    what: "cold start, DEDUPE=off / bare",
    key: "off",
    versus: "bare",
    metric: "coldMs",
    bound: 1.25,
  },
  {
    what: "CPU/req, every event new / DEDUPE=off",
    key: "on",
    versus: "off",
    metric: "cpuUs",
    bound: 2,
  },
  {
    what: "CPU/byte, 256 KiB event, DEDUPE=off / SDK",
    key: "off-256k",
    versus: "sdk-256k",
    metric: "cpuUs",
    bound: 1,
  },
];

/** A line per target both of whose rows ran: each round's ratio, the median, and whether it is met. */
export function targetLines(runs: Runs): string[] {
  const lines = [];
  for (const target of TARGETS) {
    const ratios = pairedRatios(runs, target.key, target.versus, target.metric);
    if (ratios.length === 0) continue;
    const value = median(ratios);
    const met = target.below ? value < target.bound : value <= target.bound;
    lines.push(
      `${target.what}: ${ratios.map((r) => r.toFixed(2)).join(" ")}, median ` +
        `${value.toFixed(2)} (target ${target.below ? "<" : "≤"} ${target.bound}): ` +
        (met ? "met" : "MISSED"),
    );
  }
  return lines;
}

/** What Deno KV adds per request (run `on` minus run `off` of the same round); undefined without both. */
export function kvCostLine(runs: Runs): string | undefined {
  const cost = (metric: Metric) => {
    const on = figures(runs, "on", metric);
    const off = figures(runs, "off", metric);
    const differences = on.map((value, i) => value - off[i]!).filter(Number.isFinite);
    return differences.length ? median(differences) : undefined;
  };
  const cpu = cost("cpuUs");
  const p50 = cost("p50Ms");
  if (cpu === undefined || p50 === undefined) return undefined;
  return `Deno KV claim and record (dedupe on, every event new, minus DEDUPE=off, same round): ` +
    `+${format(cpu, 1)} µs server CPU and +${format(p50, 2)} ms p50 per request`;
}

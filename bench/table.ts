/**
 * What the load benchmark prints about its runs: the line of each run, the
 * markdown table of medians (min–max) with their ratios to the baseline, and
 * the ratio of each round's CPU per request to the baseline of that round.
 *
 * @module
 */

import type { Run } from "./measure.ts";

/** The columns of the table: a figure of a run, its title and its decimals. */
const METRICS = [
  { key: "rps", title: "req/s", digits: 0 },
  { key: "cpuUs", title: "CPU µs/req", digits: 1 },
  { key: "p50Ms", title: "p50 ms", digits: 2 },
  { key: "p99Ms", title: "p99 ms", digits: 2 },
  { key: "rssMiB", title: "peak RSS MiB", digits: 0 },
  { key: "coldMs", title: "cold start ms", digits: 0 },
] as const;

/** The runs of each subject, by its key, in the order of the rounds. */
export type Runs = Map<string, Run[]>;

/** A row of the table: the run's key and its label. */
interface Row {
  key: string;
  label: string;
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
  return `round ${round} ${key.padEnd(6)} ` +
    (run.ok
      ? `${format(run.rps, 0)} req/s, ${format(run.cpuUs, 1)} µs CPU/req, ` +
        `p50 ${format(run.p50Ms, 2)} ms, p99 ${format(run.p99Ms, 2)} ms, ` +
        `RSS ${format(run.rssMiB, 0)} MiB, cold ${format(run.coldMs, 0)} ms`
      : `FAILED: ${run.failure}`);
}

/** A cell: median (min–max), then the ratio of medians to the baseline's when given. */
function cell(values: number[], digits: number, baseline: number[] | undefined): string {
  const spread = `${format(median(values), digits)} (${format(Math.min(...values), digits)}–${
    format(Math.max(...values), digits)
  })`;
  if (baseline === undefined || baseline.length === 0) return spread;
  return `${spread} **×${(median(values) / median(baseline)).toFixed(2)}**`;
}

function failures(runs: Run[]): string {
  return runs.filter((r) => !r.ok).map((r) => r.failure).join("; ");
}

/** The markdown table of every row's good runs, with ratios to the `baseline` key's. */
export function markdownTable(rows: Row[], runs: Runs, baseline: string): string {
  const lines = [
    `| server | ${METRICS.map((metric) => metric.title).join(" | ")} |`,
    `| --- | ${METRICS.map(() => "---").join(" | ")} |`,
  ];
  const base = (runs.get(baseline) ?? []).filter((r) => r.ok);
  for (const row of rows) {
    const all = runs.get(row.key) ?? [];
    const good = all.filter((r) => r.ok);
    if (good.length === 0) {
      lines.push(`| ${row.label} | FAILED: ${failures(all)} |`);
      continue;
    }
    const cells = METRICS.map(({ key, digits }) =>
      cell(
        good.map((r) => r[key]),
        digits,
        row.key === baseline ? undefined : base.map((r) => r[key]),
      )
    );
    const failedRuns = all.length - good.length;
    const note = failedRuns ? ` (${failedRuns} failed run(s): ${failures(all)})` : "";
    lines.push(`| ${row.label}${note} | ${cells.join(" | ")} |`);
  }
  return lines.join("\n");
}

/** CPU per request of each run of `key` over the baseline run of the same round. */
export function pairedRatios(runs: Runs, key: string, baseline: string): number[] {
  const mine = runs.get(key) ?? [];
  const base = runs.get(baseline) ?? [];
  const ratios = [];
  for (let i = 0; i < Math.min(mine.length, base.length); i++) {
    if (mine[i]!.ok && base[i]!.ok) ratios.push(mine[i]!.cpuUs / base[i]!.cpuUs);
  }
  return ratios;
}

/** The lines `CPU per request, <key> / baseline of the same round: ...` of every other row. */
export function roundRatioLines(rows: Row[], runs: Runs, baseline: string): string[] {
  const lines = [];
  for (const row of rows) {
    if (row.key === baseline) continue;
    const ratios = pairedRatios(runs, row.key, baseline);
    if (ratios.length === 0) continue;
    lines.push(
      `CPU per request, ${row.key} / baseline of the same round: ${
        ratios.map((r) => r.toFixed(2)).join(", ")
      } (median ${median(ratios).toFixed(2)})`,
    );
  }
  return lines;
}

/** What Deno KV adds per request (run `on` minus run `off`); undefined without both. */
export function kvCostLine(runs: Runs): string | undefined {
  const off = runs.get("off")?.filter((r) => r.ok) ?? [];
  const on = runs.get("on")?.filter((r) => r.ok) ?? [];
  if (!off.length || !on.length) return undefined;
  const cpu = median(on.map((r) => r.cpuUs)) - median(off.map((r) => r.cpuUs));
  const p50 = median(on.map((r) => r.p50Ms)) - median(off.map((r) => r.p50Ms));
  return `Deno KV claim and record (dedupe on, every event new, minus DEDUPE=off): ` +
    `+${format(cpu, 1)} µs server CPU and +${format(p50, 2)} ms p50 per request`;
}

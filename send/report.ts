/**
 * What the sender prints: one line per call, a summary of several calls,
 * and the verdict of a run. The hints that explain a failure are in
 * `hints.ts`.
 *
 * @module
 */

import type { Outcome } from "./deliver.ts";

/** What a run counts as success: 2xx answers, or (for deliberately invalid calls) refusals. */
export type Expectation = "accepted" | "rejected";

/**
 * Tells whether an outcome is what the run wanted. A refusal is a 4xx answer
 * other than 404 (which means the URL is wrong, not that the call was refused).
 *
 * @param outcome One call's outcome.
 * @param expect What the run wants.
 * @returns Whether the outcome counts as success.
 *
 * @example
 * ```ts
 * import { meetsExpectation } from "./report.ts";
 *
 * const outcome = {
 *   call: {
 *     target: "users.changed" as const,
 *     action: "events.handle",
 *     eventId: "evt_1",
 *     body: new Uint8Array(),
 *     headers: {},
 *   },
 *   latency: 3.14,
 *   response: { status: 401, statusText: "Unauthorized", body: "{}" },
 * };
 * console.assert(meetsExpectation(outcome, "rejected") && !meetsExpectation(outcome, "accepted"));
 * ```
 */
export function meetsExpectation(outcome: Outcome, expect: Expectation): boolean {
  const status = outcome.response?.status;
  if (status === undefined) return false;
  if (expect === "accepted") return status >= 200 && status < 300;
  return status >= 400 && status < 500 && status !== 404;
}

/**
 * Formats one call: what was sent, the event id, status, latency and the
 * response body on one line.
 *
 * @param outcome The call's outcome.
 * @param expect What the run wants, to colour the status.
 * @param color Whether to use ANSI colours.
 * @returns The line, e.g.
 * `organizations.changed evt_5uT0qgJ6m1cV2yXkR9pWZa → 200 OK (3.1 ms) {}`.
 *
 * @example
 * ```ts
 * import { formatOutcome } from "./report.ts";
 *
 * const outcome = {
 *   call: {
 *     target: "users.changed" as const,
 *     action: "events.handle",
 *     eventId: "evt_1",
 *     body: new Uint8Array(),
 *     headers: {},
 *   },
 *   latency: 3.14,
 *   response: { status: 200, statusText: "OK", body: "{}" },
 * };
 * console.assert(
 *   formatOutcome(outcome, "accepted", false) === "users.changed evt_1 → 200 OK (3.1 ms) {}",
 * );
 * ```
 */
export function formatOutcome(outcome: Outcome, expect: Expectation, color: boolean): string {
  const { call, response, failure } = outcome;
  const paint = painter(color);
  const good = meetsExpectation(outcome, expect);
  const head = call.eventId === undefined ? call.target : `${call.target} ${call.eventId}`;
  const latency = paint(DIM, `(${formatLatency(outcome.latency)})`);
  if (response === undefined) {
    return `${head} → ${paint(RED, "failed")} ${latency} ${failure?.message ?? "no response"}`;
  }
  const status = `${response.status} ${response.statusText}`.trim();
  return `${head} → ${paint(good ? GREEN : RED, status)} ${latency} ${trimBody(response.body)}`;
}

/**
 * Summarizes several calls: how many got each status, and the p50 and p99
 * latency of those that were answered.
 *
 * @param outcomes Every call's outcome.
 * @param elapsed Milliseconds the whole run took.
 * @returns One line, e.g. `10 calls in 0.1 s: 10 × 200 OK · p50 2.1 ms · p99 6.3 ms`.
 *
 * @example
 * ```ts
 * import { summarize } from "./report.ts";
 *
 * const outcome = {
 *   call: {
 *     target: "users.changed" as const,
 *     action: "events.handle",
 *     eventId: "evt_1",
 *     body: new Uint8Array(),
 *     headers: {},
 *   },
 *   latency: 3.14,
 *   response: { status: 200, statusText: "OK", body: "{}" },
 * };
 * console.assert(
 *   summarize([outcome, outcome], 12) === "2 calls in 12 ms: 2 × 200 OK · p50 3.1 ms · p99 3.1 ms",
 * );
 * ```
 */
export function summarize(outcomes: readonly Outcome[], elapsed: number): string {
  const counts = new Map<string, number>();
  for (const { response, failure } of outcomes) {
    const key = response === undefined
      ? failure?.message ?? "failed"
      : `${response.status} ${response.statusText}`.trim();
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const byStatus = [...counts].sort(([a], [b]) => a.localeCompare(b))
    .map(([key, count]) => `${count} × ${key}`).join(", ");
  const latencies = outcomes.filter((outcome) => outcome.response !== undefined)
    .map((outcome) => outcome.latency).sort((a, b) => a - b);
  const parts = [`${plural(outcomes.length, "call")} in ${formatLatency(elapsed)}: ${byStatus}`];
  if (latencies.length > 0) {
    parts.push(`p50 ${formatLatency(percentile(latencies, 50))}`);
    parts.push(`p99 ${formatLatency(percentile(latencies, 99))}`);
  }
  return parts.join(" · ");
}

/**
 * The nearest-rank percentile of sorted values.
 *
 * @param sorted Values in ascending order; not empty.
 * @param p The percentile, 0 to 100.
 * @returns The smallest value with at least `p` % of the values at or below it.
 *
 * @example
 * ```ts
 * import { percentile } from "./report.ts";
 *
 * console.assert(percentile([1, 2, 3, 4], 50) === 2);
 * console.assert(percentile([1, 2, 3, 4], 99) === 4);
 * ```
 */
export function percentile(sorted: readonly number[], p: number): number {
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

/**
 * Formats a duration for people: `0.8 ms`, `42 ms`, `1.3 s`.
 *
 * @param ms Milliseconds.
 * @returns The duration with its unit.
 *
 * @example
 * ```ts
 * import { formatLatency } from "./report.ts";
 *
 * console.assert(formatLatency(3.14) === "3.1 ms" && formatLatency(1500) === "1.5 s");
 * ```
 */
export function formatLatency(ms: number): string {
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

/**
 * The last line of a run: whether every call went as wanted, and the exit code.
 *
 * @param outcomes Every call's outcome.
 * @param expect What the run wants.
 * @param why Why calls are expected to be refused, e.g. `bad signature`.
 * @returns The line, and whether the run succeeded.
 *
 * @example
 * ```ts
 * import { verdict } from "./report.ts";
 *
 * const outcome = {
 *   call: {
 *     target: "users.changed" as const,
 *     action: "events.handle",
 *     eventId: "evt_1",
 *     body: new Uint8Array(),
 *     headers: {},
 *   },
 *   latency: 3.14,
 *   response: { status: 401, statusText: "Unauthorized", body: "{}" },
 * };
 * const { ok, line } = verdict([outcome], "rejected", "bad signature");
 * console.assert(ok && line === "The call was refused, as intended (bad signature)");
 * ```
 */
export function verdict(
  outcomes: readonly Outcome[],
  expect: Expectation,
  why: string,
): { ok: boolean; line: string | undefined } {
  const missed = outcomes.filter((outcome) => !meetsExpectation(outcome, expect)).length;
  const total = outcomes.length;
  if (expect === "rejected") {
    if (missed === 0) {
      return {
        ok: true,
        line: `${
          total === 1 ? "The call was" : `All ${total} calls were`
        } refused, as intended (${why})`,
      };
    }
    const which = total === 1 ? "The call was" : `${missed} of ${total} calls were`;
    return { ok: false, line: `${which} not refused although invalid (${why}): exit code 1` };
  }
  if (missed === 0) return { ok: true, line: undefined };
  const which = total === 1 ? "The call" : `${missed} of ${total} calls`;
  return { ok: false, line: `${which} did not get a 2xx answer: exit code 1` };
}

function trimBody(body: string): string {
  const line = body.replace(/\s+/g, " ").trim();
  if (line === "") return "(empty body)";
  return line.length > 160 ? `${line.slice(0, 160)}…` : line;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

const GREEN = 32;
const RED = 31;
const DIM = 2;

function painter(color: boolean): (code: number, text: string) => string {
  return color ? (code, text) => `\x1b[${code}m${text}\x1b[0m` : (_code, text) => text;
}

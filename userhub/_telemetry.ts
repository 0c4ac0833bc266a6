/**
 * OpenTelemetry, the Deno way: nothing is configured here. With
 * `OTEL_DENO=true` Deno makes a span for every `Deno.serve` request and
 * exports it, with metrics and `console` logs, where the `OTEL_*` variables
 * say; this module puts what became of each UserHub call on that span, runs
 * handlers and the duplicate check in child spans, and counts calls. With
 * OpenTelemetry off, every call here is a no-op of the API.
 *
 * @module
 */

import { type Attributes, metrics, type Span, SpanStatusCode, trace } from "@opentelemetry/api";
import { type CallReport, handlerOutcome } from "./report.ts";
import { WEBHOOK_AGENT } from "./errors.ts";

const [NAME, VERSION] = WEBHOOK_AGENT.split("/") as [string, string];
const tracer = trace.getTracer(NAME, VERSION);
const meter = metrics.getMeter(NAME, VERSION);

const calls = meter.createCounter("userhub.webhook.calls", {
  description: "UserHub calls answered, by action and outcome",
});
const handlerDuration = meter.createHistogram("userhub.handler.duration", {
  description: "How long event and action handlers ran",
  unit: "s",
  advice: {
    explicitBucketBoundaries: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  },
});

/**
 * Puts what became of a call on the span of its request (the one Deno makes
 * for it), and counts it in `userhub.webhook.calls`.
 *
 * @param report The call's report.
 */
export function recordCall(report: CallReport): void {
  const attributes: Attributes = {
    "userhub.action": report.action ?? "unknown",
    "userhub.outcome": report.outcome,
  };
  calls.add(1, attributes);
  const span = trace.getActiveSpan();
  if (span === undefined || !span.isRecording()) return;
  span.setAttributes(attributes);
  if (report.eventId !== undefined) span.setAttribute("userhub.event.id", report.eventId);
  if (report.eventType !== undefined) span.setAttribute("userhub.event.type", report.eventType);
}

/** What a handler answers: an event of a type, or an action. */
export type HandledCall = { eventType: string } | { action: string };

/**
 * Runs a handler in a child span `userhub.handler`, with the error recorded
 * when it throws, and its duration in the `userhub.handler.duration`
 * histogram, by the outcome {@linkcode handlerOutcome} gives.
 *
 * @param call The event type, or the action.
 * @param run Runs the handler.
 * @returns What the handler returned.
 */
export async function inHandlerSpan<T>(call: HandledCall, run: () => Promise<T>): Promise<T> {
  const about: Attributes = "eventType" in call
    ? { "userhub.event.type": call.eventType }
    : { "userhub.action": call.action };
  return await tracer.startActiveSpan("userhub.handler", { attributes: about }, async (span) => {
    const started = performance.now();
    const kind = "eventType" in call ? "event" : "action";
    let outcome = handlerOutcome(kind, false);
    try {
      return await run();
    } catch (error) {
      outcome = handlerOutcome(kind, true, error);
      if (outcome === "failed") failed(span, error);
      throw error;
    } finally {
      span.end();
      const seconds = (performance.now() - started) / 1000;
      handlerDuration.record(seconds, { ...about, "userhub.outcome": outcome });
    }
  });
}

/**
 * Runs the duplicate check's work on the store in a child span `userhub.dedupe`.
 *
 * @param run The store operation.
 * @returns What it returned.
 */
export async function inDedupeSpan<T>(run: () => Promise<T>): Promise<T> {
  return await tracer.startActiveSpan("userhub.dedupe", async (span) => {
    try {
      return await run();
    } catch (error) {
      failed(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

function failed(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: error instanceof Error ? error.message : String(error),
  });
}

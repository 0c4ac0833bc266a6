/**
 * OpenTelemetry as an operator sees it: `main.ts` run with `OTEL_DENO=true`
 * and OTLP over HTTP/JSON to a small receiver on 127.0.0.1, the `flows.changed`
 * handler made to throw (`_failing_flows.ts`, preloaded).
 *
 * @module
 */

import assert from "node:assert/strict";
import { eventBody, SECRET, signedRequest } from "./fixtures.ts";
import { Server, startTaskArgs } from "./_process.ts";

type Attribute = { key: string; value: Record<string, unknown> };
type Otlp = Record<string, unknown>;

/** An OTLP/HTTP JSON receiver: keeps every body it is sent, by signal. */
function otlpReceiver() {
  const received = { traces: [] as Otlp[], metrics: [] as Otlp[], logs: [] as Otlp[] };
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const signal = new URL(req.url).pathname.slice("/v1/".length) as keyof typeof received;
    received[signal]?.push(await req.json());
    return Response.json({});
  });
  return { received, url: `http://127.0.0.1:${server.addr.port}`, close: () => server.shutdown() };
}

/** The items of every `resource…`/`scope…` envelope of one signal, e.g. the spans. */
function items(bodies: Otlp[], outer: string, inner: string, field: string): Otlp[] {
  return bodies.flatMap((body) =>
    (body[outer] as Otlp[]).flatMap((resource) =>
      (resource[inner] as Otlp[]).flatMap((scope) => scope[field] as Otlp[])
    )
  );
}

/** An OTLP attribute list as a plain object. */
function attributes(item: Otlp): Record<string, unknown> {
  const list = (item.attributes ?? []) as Attribute[];
  return Object.fromEntries(list.map(({ key, value }) => [key, Object.values(value)[0]]));
}

/** Sends a signed call to the server; `secret` other than the server's for a bad signature. */
async function call(url: string, body: string, action = "events.handle", secret = SECRET) {
  const timestamp = Math.floor(Date.now() / 1000);
  const request = await signedRequest({ body, action, secret, timestamp, url: `${url}/webhook` });
  const response = await fetch(request);
  await response.body?.cancel();
  return { status: response.status, request };
}

/** Runs main.ts with OpenTelemetry on, sends one call of each kind, stops it, and returns what was exported. */
async function exported() {
  const receiver = otlpReceiver();
  const args = await startTaskArgs();
  args.splice(-1, 0, "--preload=tests/_failing_flows.ts");
  try {
    // Deno KV in memory (PROCESS_ENV): the process's own.
    const server = await new Server(args, {
      SIGNING_SECRET: SECRET,
      OTEL_DENO: "true",
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    }).listening();
    try {
      const event = eventBody("organizations.changed", undefined, "evt_otel_new");
      const first = await call(server.url, event);
      assert.equal(first.status, 200);
      const again = await fetch(first.request.url, {
        method: "POST",
        headers: first.request.headers,
        body: event,
      });
      assert.equal(again.status, 200);
      await again.body?.cancel();
      assert.equal((await call(server.url, event, "events.handle", "whsec_other")).status, 401);
      const failing = eventBody("flows.changed", undefined, "evt_otel_failing");
      assert.equal((await call(server.url, failing)).status, 500);
      assert.equal((await call(server.url, '{"challenge":"otel"}', "challenge")).status, 200);
    } finally {
      // A graceful stop exports what is left.
      assert.equal(await server.stop(), 0, server.output);
    }
  } finally {
    await receiver.close();
  }
  return receiver.received;
}

/** What was exported, with the spans of the requests by their outcome. */
type Exported = Awaited<ReturnType<typeof exported>> & {
  spans: Otlp[];
  request: (outcome: string) => Otlp;
};

function requestSpans({ spans }: Exported): void {
  const outcomes = spans.map((span) => attributes(span)["userhub.outcome"]).filter(Boolean);
  assert.deepEqual(outcomes.sort(), ["answered", "duplicate", "failed", "handled", "rejected"]);
}

function requestAttributes({ request }: Exported): void {
  const handled = attributes(request("handled"));
  assert.equal(handled["userhub.action"], "events.handle");
  assert.equal(handled["userhub.event.id"], "evt_otel_new");
  assert.equal(handled["userhub.event.type"], "organizations.changed");
  assert.equal(attributes(request("duplicate"))["userhub.event.id"], "evt_otel_new");
  assert.equal(attributes(request("answered"))["userhub.action"], "challenge");
  assert.equal(attributes(request("rejected"))["userhub.action"], "unknown");
}

function handlerSpans({ spans, request }: Exported): void {
  const handlers = spans.filter((span) => span.name === "userhub.handler");
  const handlerOf = (requestSpan: Otlp) =>
    handlers.find((span) => span.parentSpanId === requestSpan.spanId);
  const ok = handlerOf(request("handled"));
  assert.equal(attributes(ok!)["userhub.event.type"], "organizations.changed");
  assert.notEqual((ok!.status as Otlp).code, 2);
  const failed = handlerOf(request("failed"));
  assert.equal((failed!.status as Otlp).code, 2);
  assert.equal((failed!.status as Otlp).message, "flows are not wired up yet");
  assert.ok((failed!.events as Otlp[]).some((event) => event.name === "exception"));
  assert.equal(handlerOf(request("duplicate")), undefined, "a duplicate ran its handler");
}

function dedupeSpans({ spans, request }: Exported): void {
  const dedupe = spans.filter((span) => span.name === "userhub.dedupe");
  for (const outcome of ["handled", "duplicate"]) {
    const parent = request(outcome).spanId;
    assert.ok(dedupe.some((span) => span.parentSpanId === parent), outcome);
  }
}

/** The data points of a metric, by name and kind (`sum`, `histogram`). */
function points({ metrics }: Exported, name: string, kind: string): Otlp[] {
  return items(metrics, "resourceMetrics", "scopeMetrics", "metrics")
    .filter((metric) => metric.name === name)
    .flatMap((metric) => (metric[kind] as Otlp).dataPoints as Otlp[]);
}

function callCounter(exports: Exported): void {
  const counts = Object.fromEntries(
    points(exports, "userhub.webhook.calls", "sum").map((point) => {
      const { "userhub.action": action, "userhub.outcome": outcome } = attributes(point);
      return [`${action} ${outcome}`, Number(point.asDouble ?? point.asInt)];
    }),
  );
  assert.deepEqual(counts, {
    "events.handle handled": 1,
    "events.handle duplicate": 1,
    "unknown rejected": 1,
    "events.handle failed": 1,
    "challenge answered": 1,
  });
}

function handlerHistogram(exports: Exported): void {
  const histogram = points(exports, "userhub.handler.duration", "histogram");
  const timed = histogram.map((point) => Object.values(attributes(point)).join(" ")).sort();
  assert.deepEqual(timed, ["flows.changed failed", "organizations.changed handled"]);
  const all = items(exports.metrics, "resourceMetrics", "scopeMetrics", "metrics");
  assert.ok(
    all.some((metric) => metric.name === "userhub.handler.duration" && metric.unit === "s"),
  );
}

function logTraceIds({ logs, request }: Exported): void {
  const records = items(logs, "resourceLogs", "scopeLogs", "logRecords");
  const line = records.find((record) =>
    String(Object.values(record.body as Otlp)[0]).startsWith(" - Organization: ")
  );
  assert.ok(line, "no handler line exported");
  assert.equal(line.traceId, request("handled").traceId);
}

Deno.test("main.ts with OTEL_DENO=true exports each call's outcome, its handler span, metrics and logs", async (t) => {
  const received = await exported();
  const spans = items(received.traces, "resourceSpans", "scopeSpans", "spans");
  const request = (outcome: string) => {
    const found = spans.find((span) => attributes(span)["userhub.outcome"] === outcome);
    assert.ok(found, `no request span with userhub.outcome ${outcome}`);
    return found;
  };
  const exports: Exported = { ...received, spans, request };
  const steps: [string, (exports: Exported) => void][] = [
    ["each call's outcome is on its request span", requestSpans],
    ["the request span carries the call's action and event", requestAttributes],
    ["a handler runs in a child span, with the error of one that throws", handlerSpans],
    ["the duplicate check's store work is a child span", dedupeSpans],
    ["calls are counted by action and outcome", callCounter],
    ["handlers are timed in seconds", handlerHistogram],
    ["a handler's log line carries its call's trace id", logTraceIds],
  ];
  for (const [name, check] of steps) await t.step(name, () => check(exports));
});

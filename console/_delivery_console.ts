/**
 * The delivery console of `deno task dev`: every UserHub call in the
 * browser, live, with what the receiver did with it, and "deliver again".
 * Served at `/_console` by the app itself, to loopback connections only.
 *
 * @module
 */

import { type ErrorCode, jsonResponse, type Receipt, WebhookError } from "../userhub/mod.ts";
import { signedHeaders } from "../userhub/testing.ts";
import { captureLogs } from "./_log_capture.ts";
import { renderPage } from "./_page.ts";
import { type CallRecorder, type CallSummary, MAX_CALLS } from "./_recorder.ts";
import { startOver } from "./_start_over.ts";

/** The most bytes of a body the console shows. */
const SHOWN_BODY_BYTES = 64 * 1024;
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const ID_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** A call the console delivers again: which call, how, and once recorded, its own id. */
interface Redelivery {
  of: string;
  asNew: boolean;
  id?: string;
}

/** Records the calls to `/webhook`, and answers the console's own requests. */
export class DeliveryConsole {
  readonly #recorder: CallRecorder;
  readonly #secret: string;
  readonly #redeliveries = new WeakMap<Request, Redelivery>();
  readonly #streams = new Set<ReadableStreamDefaultController<Uint8Array>>();

  /**
   * A console over a recorder, delivering again with a secret.
   * @param recorder Where the calls are kept.
   * @param secret The first configured signing secret: calls delivered again are signed with it.
   */
  constructor(recorder: CallRecorder, secret: string) {
    this.#recorder = recorder;
    this.#secret = secret;
  }

  /**
   * Answers a call to `/webhook` through `receive`, and records it with the
   * lines it logged.
   * @param request The call.
   * @param receive The receiver.
   * @returns The receiver's answer.
   */
  async record(
    request: Request,
    receive: (request: Request) => Promise<Receipt>,
  ): Promise<Response> {
    const started = performance.now();
    const time = new Date().toISOString();
    const headers = shownHeaders(request.headers);
    const sentAction = request.headers.get("userhub-action")?.split(",", 1)[0]?.trim();
    const { result, lines } = await captureLogs(() => receive(request));
    const { response, report, body = new Uint8Array() } = result;
    const answer = await response.clone().text();
    const action = report.action ?? sentAction;
    const redelivery = this.#redeliveries.get(request);
    try {
      const summary = await this.#recorder.add({
        time,
        ...(action && { action }),
        verified: report.action !== undefined,
        ...(report.eventId !== undefined && { eventId: report.eventId }),
        ...(report.eventType !== undefined && { eventType: report.eventType }),
        outcome: report.outcome,
        ...(report.reason !== undefined && { reason: report.reason }),
        status: report.status,
        durationMs: performance.now() - started,
        bodyBytes: body.length,
        headers,
        answer,
        logs: lines,
        body,
        ...(report.error !== undefined && { error: report.error }),
        ...(redelivery && { redeliveryOf: redelivery.of }),
        ...(redelivery?.asNew && { asNew: true }),
      });
      if (redelivery) redelivery.id = summary.id;
      this.#announce("call", summary);
    } catch (error) {
      console.error("Cannot record the call for the console:", error);
    }
    return response;
  }

  /**
   * Answers a request under `/_console`: the page, the calls, their events,
   * delivering again, clearing, and starting over (`POST /_console/reset`:
   * the calls, the duplicate check's records and the example users).
   * @param request The request; its URL's path starts with `/_console`.
   * @param deliver The app, to deliver a call again through the whole receiver.
   * @returns The answer.
   */
  async handle(
    request: Request,
    deliver: (request: Request) => Promise<Response>,
  ): Promise<Response> {
    const path = new URL(request.url).pathname.replace(/\/+$/, "");
    const method = request.method;
    if (path === "/_console" && method === "GET") {
      const html = renderPage(await this.#recorder.list());
      return new Response(html, { headers: { "content-type": "text/html; charset=utf-8" } });
    }
    if (path === "/_console/events" && method === "GET") return this.#events();
    if (path === "/_console/calls" && method === "GET") {
      return Response.json(await this.#recorder.list());
    }
    const match = path.match(/^\/_console\/calls\/([\w-]+)(\/deliver)?$/);
    if (match?.[2] === undefined && match && method === "GET") return await this.#detail(match[1]!);
    const clear = path === "/_console/calls" && method === "DELETE";
    const deliverAgain = match?.[2] !== undefined && method === "POST";
    const reset = path === "/_console/reset" && method === "POST";
    await request.body?.cancel();
    // A change needs a header a form cannot send, nor another site's script without asking first.
    if ((clear || deliverAgain || reset) && request.headers.get("x-console") !== "1") {
      const message = "Use the console's page: a change needs the header x-console: 1";
      return failure("PERMISSION_DENIED", message, 403);
    }
    if (reset) {
      const forgotten = await startOver(this.#recorder);
      this.#announce("clear", {});
      return Response.json(forgotten);
    }
    if (clear) {
      await this.#recorder.clear();
      this.#announce("clear", {});
      return new Response(null, { status: 204 });
    }
    if (deliverAgain) {
      const asNew = new URL(request.url).searchParams.get("as") === "new";
      return await this.#deliverAgain(match![1]!, asNew, deliver);
    }
    return failure("NOT_FOUND", `Not found: ${path}`);
  }

  /** Ends the streams of events, so that a stop does not wait for them. */
  close(): void {
    for (const stream of this.#streams) {
      try {
        stream.close();
      } catch {
        // Closed by its page already.
      }
    }
    this.#streams.clear();
  }

  async #detail(id: string): Promise<Response> {
    const stored = await this.#recorder.get(id);
    if (stored === undefined) return notKept(id);
    const { call, body } = stored;
    const shown = decoder.decode(body.subarray(0, SHOWN_BODY_BYTES));
    return Response.json({ ...call, body: shown, bodyCut: body.length > SHOWN_BODY_BYTES });
  }

  /**
   * Delivers a recorded call again through the whole receiver, signed anew
   * with a fresh timestamp, as `deno task send --data` would; with `asNew`,
   * as a new event (a new id). The call delivered is recorded as any other,
   * marked as delivered again; the answer names it in `x-console-call`.
   */
  async #deliverAgain(
    id: string,
    asNew: boolean,
    deliver: (request: Request) => Promise<Response>,
  ): Promise<Response> {
    const stored = await this.#recorder.get(id);
    if (stored === undefined) return notKept(id);
    // A call that was never verified could be anyone's bytes: signing them would vouch for them.
    if (!stored.call.verified) return refused("Only a verified call can be delivered again");
    const action = stored.call.action ?? "events.handle";
    let body = stored.body;
    if (asNew) {
      const event = parseEvent(body);
      if (action !== "events.handle" || event === undefined) {
        return refused("Only an event can be delivered as a new event");
      }
      body = encoder.encode(JSON.stringify({ ...event, id: newEventId() }));
    }
    const headers = await signedHeaders({ action, body, secret: this.#secret });
    const request = new Request("http://127.0.0.1/webhook", {
      method: "POST",
      headers: { ...headers, "content-type": "application/json" },
      body: body as Uint8Array<ArrayBuffer>,
    });
    const redelivery: Redelivery = { of: id, asNew };
    this.#redeliveries.set(request, redelivery);
    const response = await deliver(request);
    await response.body?.cancel();
    const named = redelivery.id === undefined ? {} : { "x-console-call": redelivery.id };
    return Response.json({ status: response.status }, { headers: named });
  }

  #events(): Response {
    let controller: ReadableStreamDefaultController<Uint8Array>;
    const stream = new ReadableStream<Uint8Array>({
      start: (opened) => {
        controller = opened;
        this.#streams.add(opened);
        // After a reload of the server, the page reconnects within a second.
        opened.enqueue(encoder.encode(`retry: 1000\n\n`));
      },
      cancel: () => void this.#streams.delete(controller),
    });
    return new Response(stream, {
      headers: { "content-type": "text/event-stream", "cache-control": "no-store" },
    });
  }

  #announce(kind: "call" | "clear", data: CallSummary | Record<string, never>): void {
    const chunk = encoder.encode(`event: ${kind}\ndata: ${JSON.stringify(data)}\n\n`);
    for (const stream of this.#streams) {
      try {
        stream.enqueue(chunk);
      } catch {
        this.#streams.delete(stream);
      }
    }
  }
}

/** The headers as the console shows them: each signature cut to its first 8 digits. */
function shownHeaders(headers: Headers): [string, string][] {
  return [...headers].map(([name, value]) =>
    name === "userhub-signature"
      ? [name, value.split(",").map((signature) => `${signature.trim().slice(0, 8)}…`).join(", ")]
      : [name, value]
  );
}

function parseEvent(body: Uint8Array): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(decoder.decode(body));
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? value as Record<string, unknown>
      : undefined;
  } catch {
    return undefined;
  }
}

/** A fresh event id shaped like UserHub's: `evt_` and 22 base62 characters. */
function newEventId(): string {
  let id = "";
  while (id.length < 22) {
    // 248 is the largest multiple of 62 under 256: every character is equally likely.
    for (const byte of crypto.getRandomValues(new Uint8Array(32))) {
      if (byte < 248 && id.length < 22) id += ID_ALPHABET[byte % ID_ALPHABET.length];
    }
  }
  return `evt_${id}`;
}

/** An error answer as the receiver gives them: `{message, code}` with the code's status. */
function failure(code: ErrorCode, message: string, status?: number): Response {
  const error = new WebhookError(code, message, status === undefined ? {} : { status });
  return jsonResponse(error.status, JSON.stringify({ message, code }));
}

function refused(message: string): Response {
  return failure("FAILED_PRECONDITION", message);
}

function notKept(id: string): Response {
  return failure(
    "NOT_FOUND",
    `Call ${id} is not kept: the console keeps ${MAX_CALLS} calls for 24 h`,
  );
}

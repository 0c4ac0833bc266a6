/**
 * Sending one call and timing it. Network failures become a short
 * description, never a thrown error.
 *
 * @module
 */

import type { Call } from "./calls.ts";

/** What came of one call. */
export interface Outcome {
  /** The call that was sent. */
  call: Call;
  /** Milliseconds from sending to the end of the response body. */
  latency: number;
  /** The response, when one arrived. */
  response?: { status: number; statusText: string; body: string };
  /** Why no response arrived. */
  failure?: Failure;
}

/** Why a call got no response. */
export interface Failure {
  /** The kind, for hints: nothing listening, no answer in time, or anything else. */
  kind: "refused" | "timeout" | "other";
  /** One line for the user. */
  message: string;
}

/** Options of {@linkcode deliver}. */
export interface DeliverOptions {
  /** The `fetch` to use; the global one by default. */
  fetch?: typeof fetch;
  /** Seconds to wait for the whole response. */
  timeout: number;
}

/**
 * POSTs a call and reads the whole answer.
 *
 * @param url Where to send it.
 * @param call The signed call.
 * @param options Timeout and `fetch`.
 * @returns The status and body, or why there is none; never throws for a
 * network failure.
 *
 * @example
 * ```ts ignore
 * import { deliver } from "./deliver.ts";
 *
 * const outcome = await deliver(new URL("http://127.0.0.1:8000/webhook"), call, { timeout: 10 });
 * console.log(outcome.response?.status ?? outcome.failure?.message);
 * ```
 */
export async function deliver(url: URL, call: Call, options: DeliverOptions): Promise<Outcome> {
  const doFetch = options.fetch ?? fetch;
  const started = performance.now();
  try {
    const response = await doFetch(url, {
      method: "POST",
      headers: call.headers,
      body: call.body,
      signal: AbortSignal.timeout(options.timeout * 1000),
    });
    const body = await response.text();
    return {
      call,
      latency: performance.now() - started,
      response: { status: response.status, statusText: response.statusText, body },
    };
  } catch (error) {
    return {
      call,
      latency: performance.now() - started,
      failure: describeFailure(error, url, options.timeout),
    };
  }
}

/**
 * Turns what `fetch` threw into one line a user can act on.
 *
 * @param error What was thrown.
 * @param url The target.
 * @param timeout The timeout in seconds, to name it.
 * @returns The kind of failure and its description.
 *
 * @example
 * ```ts
 * import { describeFailure } from "./deliver.ts";
 *
 * const error = new TypeError("tcp connect error: Connection refused (os error 111)");
 * const failure = describeFailure(error, new URL("http://127.0.0.1:1/webhook"), 10);
 * console.assert(failure.message === "connection refused by 127.0.0.1:1");
 * ```
 */
export function describeFailure(error: unknown, url: URL, timeout: number): Failure {
  const name = error instanceof Error ? error.name : "";
  const text = error instanceof Error ? fullMessage(error) : String(error);
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  if (name === "TimeoutError") {
    return { kind: "timeout", message: `no answer within ${timeout} s` };
  }
  if (/connection refused/i.test(text)) {
    return { kind: "refused", message: `connection refused by ${url.hostname}:${port}` };
  }
  if (/dns error|failed to lookup|name or service not known|no such host/i.test(text)) {
    return { kind: "other", message: `cannot resolve host ${JSON.stringify(url.hostname)}` };
  }
  if (/certificate|tls|ssl/i.test(text)) {
    return { kind: "other", message: `TLS failed with ${url.host}: ${lastPart(text)}` };
  }
  if (/connection reset|connection closed|broken pipe|incomplete message/i.test(text)) {
    return { kind: "other", message: `${url.host} closed the connection without an answer` };
  }
  return { kind: "other", message: lastPart(text) };
}

/** The message with its causes, which is where `fetch` puts the OS error. */
function fullMessage(error: Error): string {
  const parts = [error.message];
  let cause = error.cause;
  while (cause instanceof Error && parts.length < 5) {
    parts.push(cause.message);
    cause = cause.cause;
  }
  return parts.join(": ");
}

/** `error sending request for url (...): client error (Connect): x` → `x`, on one line. */
function lastPart(text: string): string {
  const line = text.split("\n", 1)[0]!.replace(/^error sending request for url \([^)]*\):\s*/, "");
  return line.length > 120 ? `${line.slice(0, 120)}…` : line;
}

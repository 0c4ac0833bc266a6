/**
 * Reading a request body once, under a size limit.
 *
 * @module
 */

import { WebhookError } from "./error.ts";
import { BodyBudget, type BodyDeadlines } from "./body_limits.ts";

export * from "./body_limits.ts";

/** The largest body UserHub's Go SDK accepts, and so do we: 5 MiB. */
export const MAX_BODY_BYTES = 5 * 1024 * 1024;

/**
 * Reads the whole body of a request, refusing one over `limit` bytes. The
 * decision comes from `Content-Length` when it is sent, and otherwise while
 * reading, so no more than `limit` bytes are ever buffered. The bytes kept
 * are taken from `budget`; the caller gives back `body.length` when done.
 * When the budget runs out while reading, the rest is still counted (so an
 * oversized body is still a 413), but not kept.
 *
 * @param request The incoming request; its body is consumed or cancelled.
 * @param limit The most bytes to accept.
 * @param budget Shared by all requests; unlimited when not given.
 * @param deadlines Cancels a body that takes too long; none when not given.
 * @returns The raw body bytes.
 * @throws {WebhookError} 413 `RESOURCE_EXHAUSTED` when the body is too large;
 * 503 `UNAVAILABLE` when it fits the limit but not the budget; 408
 * `DEADLINE_EXCEEDED` when it did not arrive in time; 400 when it ended early.
 */
export async function readBody(
  request: Request,
  limit = MAX_BODY_BYTES,
  budget: BodyBudget = new BodyBudget(Infinity),
  deadlines?: BodyDeadlines,
): Promise<Uint8Array> {
  const text = request.headers.get("content-length");
  const declared = text !== null && /^\d+$/.test(text) ? Number(text) : undefined;
  if (declared !== undefined && declared > limit) {
    await request.body?.cancel();
    throw tooLarge(limit);
  }
  if (request.body === null || declared === 0) {
    await request.body?.cancel();
    return new Uint8Array(0);
  }
  if (declared !== undefined && !budget.take(declared)) {
    await request.body.cancel();
    throw busy();
  }
  const reader = declared === undefined ? byteReader(request.body) : request.body.getReader();
  let late = false;
  const unwatch = deadlines?.watch(() => {
    late = true;
    reader.cancel().catch(() => {});
  });
  let body: Uint8Array;
  try {
    // The HTTP layer ends a body at its Content-Length, so it cannot grow past it.
    body = declared === undefined
      ? await readStream(reader as ReadableStreamBYOBReader, limit, budget)
      : await readExactly(reader as ReadableStreamDefaultReader<Uint8Array>, declared);
  } catch (error) {
    if (declared !== undefined) budget.give(declared);
    throw late ? timedOut(deadlines!.deadline) : error;
  } finally {
    unwatch?.();
  }
  // Cancelled when its time was up, a stream of unknown length just ends.
  if (!late) return body;
  budget.give(body.length);
  throw timedOut(deadlines!.deadline);
}

/**
 * Reads a body of known length. It usually arrives in one chunk, which is
 * then the body; several are copied into one buffer of that length.
 */
async function readExactly(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  size: number,
): Promise<Uint8Array> {
  let body: Uint8Array | undefined;
  let filled = 0;
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    const { value } = chunk;
    if (filled + value.length > size) throw endedEarly();
    if (filled === 0 && value.length === size) body = value;
    else (body ??= new Uint8Array(size)).set(value, filled);
    filled += value.length;
  }
  if (filled < size) throw endedEarly();
  return body!;
}

/**
 * Reads a body of unknown length into buffers of our own (a BYOB reader),
 * each filled before the next is made: the default reader hands out a new
 * 64 KiB buffer per read, and under ten concurrent 100 MB chunked uploads the
 * dropped ones alone grew the peak RSS by 40 MiB before V8 collected them.
 */
async function readStream(
  reader: ReadableStreamBYOBReader,
  limit: number,
  budget: BodyBudget,
): Promise<Uint8Array> {
  const full: Uint8Array[] = [];
  let buffer = new Uint8Array(CHUNK_BYTES);
  let filled = 0;
  let size = 0;
  let kept = 0;
  let keeping = true;
  try {
    while (true) {
      const { done, value } = await reader.read(buffer.subarray(filled));
      if (value !== undefined) {
        buffer = new Uint8Array(value.buffer);
        size += value.length;
        if (size > limit) {
          await reader.cancel();
          throw tooLarge(limit);
        }
        if (keeping && budget.take(value.length)) {
          kept += value.length;
          filled += value.length;
        } else if (keeping) {
          // Out of budget: count the rest, so a body over the limit is still a 413, but keep none.
          keeping = false;
          budget.give(kept);
          kept = 0;
          full.length = 0;
        }
      }
      if (done) break;
      if (!keeping) filled = 0;
      else if (filled === buffer.length) {
        full.push(buffer);
        buffer = new Uint8Array(CHUNK_BYTES);
        filled = 0;
      }
    }
  } catch (error) {
    budget.give(kept);
    throw error;
  }
  if (!keeping) throw busy();
  full.push(buffer.subarray(0, filled));
  return full.length === 1 ? full[0]! : concat(full, size);
}

/** A BYOB reader of the stream; a stream that is not a byte stream (a `Request` built in code) is adapted. */
function byteReader(stream: ReadableStream<Uint8Array>): ReadableStreamBYOBReader {
  try {
    return stream.getReader({ mode: "byob" });
  } catch {
    const chunks = stream.getReader();
    return new ReadableStream({
      type: "bytes",
      async pull(controller) {
        // A pull must deliver: an empty chunk is skipped, not enqueued.
        for (let chunk = await chunks.read(); !chunk.done; chunk = await chunks.read()) {
          if (chunk.value.length > 0) return controller.enqueue(chunk.value.slice());
        }
        controller.close();
        // Ends the read waiting on this pull, as a byte stream's close does not.
        controller.byobRequest?.respond(0);
      },
      cancel: (reason) => chunks.cancel(reason),
    }).getReader({ mode: "byob" });
  }
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.length;
  }
  return body;
}

/** The size of each buffer a body of unknown length is read into. */
const CHUNK_BYTES = 64 * 1024;

function busy(): WebhookError {
  return new WebhookError(
    "UNAVAILABLE",
    "Too many large bodies are being read at once: retry later",
    { status: 503, headers: { "retry-after": "1" } },
  );
}

function timedOut(deadline: number): WebhookError {
  return new WebhookError(
    "DEADLINE_EXCEEDED",
    `Request body did not arrive within ${deadline / 1000} s`,
    { status: 408 },
  );
}

function endedEarly(): WebhookError {
  return new WebhookError("INVALID_ARGUMENT", "Cannot read body: the request ended early");
}

function tooLarge(limit: number): WebhookError {
  return new WebhookError(
    "RESOURCE_EXHAUSTED",
    `Request body is larger than the limit of ${limit} bytes`,
    { status: 413 },
  );
}

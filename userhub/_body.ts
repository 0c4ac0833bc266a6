/**
 * Reading a request body once, under a size limit, a shared budget of bytes
 * and a deadline.
 *
 * Deno's HTTP server lets a connection go only once the request's body has
 * been read to its end, however slowly it comes: by the handler, or by Deno
 * itself for a body left untouched or cancelled. No public API closes it
 * sooner. So a refused body is never cancelled: one refused from its
 * `Content-Length` is never touched, and one still arriving at the deadline
 * goes on being read, its bytes dropped. Either way Deno answers with
 * `connection: close` and closes the connection at the body's end (or when
 * the client hangs up), where a cancelled body leaves it open for more
 * requests.
 *
 * @module
 */

import { WebhookError } from "./errors.ts";
import { BODY_LATE, BodyBudget, type BodyDeadlines } from "./_body_limits.ts";

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
 * A body refused from its `Content-Length` is not read at all. One still
 * arriving at the deadline goes on being read to its end, so that Deno closes
 * the connection then: a body of known length keeps its bytes taken until
 * that read is over, as it holds what arrives; one of unknown length gives
 * them back at once and keeps nothing more.
 *
 * @param request The incoming request; its body is consumed, or left to Deno.
 * @param limit The most bytes to accept.
 * @param budget Shared by all requests; unlimited when not given.
 * @param deadlines Refuses a body that takes too long; none when not given.
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
  if (declared !== undefined && declared > limit) throw tooLarge(limit);
  if (declared === 0) return new Uint8Array(0);
  if (declared !== undefined) {
    if (!budget.take(declared)) throw busy();
    return await readKnown(request, declared, budget, deadlines);
  }
  if (request.body === null) return new Uint8Array(0);
  return await readUnknown(byteReader(request.body), limit, budget, deadlines);
}

/**
 * Reads a body of known length with `request.bytes()`: the cheapest read,
 * and the one that holds least while a body is pending. Its `size` bytes are
 * taken already.
 */
async function readKnown(
  request: Request,
  size: number,
  budget: BodyBudget,
  deadlines: BodyDeadlines | undefined,
): Promise<Uint8Array> {
  const read = request.bytes();
  const deadline = deadlines?.start();
  let body: Uint8Array;
  try {
    body = deadline === undefined ? await read : await Promise.race([read, deadline.expired]);
  } catch (error) {
    if (error !== BODY_LATE) {
      budget.give(size);
      throw endedEarly();
    }
    // The read goes on to the body's end, holding what arrives.
    read.then(() => budget.give(size), () => budget.give(size));
    throw timedOut(deadlines!.deadline);
  } finally {
    deadline?.stop();
  }
  if (body.length === size) return body;
  budget.give(size);
  throw endedEarly();
}

/**
 * Reads a body of unknown length into buffers of our own (a BYOB reader),
 * counting as it goes. The first buffer is small and each next one twice as
 * large, up to 64 KiB: each read makes Deno hold a buffer of its size for the
 * connection while it waits, so a slow body is read into small ones, and a
 * fast one soon 64 KiB at a time.
 */
async function readUnknown(
  reader: ReadableStreamBYOBReader,
  limit: number,
  budget: BodyBudget,
  deadlines: BodyDeadlines | undefined,
): Promise<Uint8Array> {
  const full: Uint8Array[] = [];
  let buffer = new Uint8Array(FIRST_CHUNK_BYTES);
  let filled = 0;
  let size = 0;
  let kept = 0;
  let keeping = true;
  const deadline = deadlines?.start();
  let read: Promise<ReadableStreamReadResult<Uint8Array<ArrayBuffer>>> | undefined;
  try {
    while (true) {
      read = reader.read(buffer.subarray(filled));
      const { done, value } = deadline === undefined
        ? await read
        : await Promise.race([read, deadline.expired]);
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
        buffer = new Uint8Array(Math.min(2 * buffer.length, CHUNK_BYTES));
        filled = 0;
      }
    }
  } catch (error) {
    budget.give(kept);
    if (error !== BODY_LATE) throw error;
    void drain(reader, read!, limit - size);
    throw timedOut(deadlines!.deadline);
  } finally {
    deadline?.stop();
  }
  if (!keeping) throw busy();
  full.push(buffer.subarray(0, filled));
  return full.length === 1 ? full[0]! : concat(full, size);
}

/**
 * Reads the rest of a body answered 408, from the read under way, keeping
 * nothing: Deno closes the connection once the body has been read to its end,
 * and only then. Past `left` more bytes, the body is cancelled (Deno then reads
 * the rest itself).
 */
async function drain(
  reader: ReadableStreamBYOBReader,
  read: Promise<ReadableStreamReadResult<Uint8Array<ArrayBuffer>>>,
  left: number,
): Promise<void> {
  try {
    for (let result = await read; !result.done; result = await read) {
      left -= result.value!.length;
      if (left < 0) return await reader.cancel();
      read = reader.read(new Uint8Array(result.value!.buffer));
    }
  } catch {
    // The connection ended.
  }
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

/** The size of the first buffer a body of unknown length is read into. */
const FIRST_CHUNK_BYTES = 1024;
/** The size of the largest. */
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

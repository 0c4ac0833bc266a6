/**
 * Reading a request body once, under a size limit.
 *
 * @module
 */

import { WebhookError } from "./error.ts";

/** The largest body UserHub's Go SDK accepts, and so do we: 5 MiB. */
export const MAX_BODY_BYTES = 5 * 1024 * 1024;

/** How many bytes all requests together may hold in memory while they are read: 32 MiB. */
export const MAX_BUFFERED_BYTES = 32 * 1024 * 1024;

/**
 * The bytes that bodies being read may hold together, so that many large
 * uploads at once cannot grow memory without bound. A body takes its bytes as
 * it is read and gives them back with {@linkcode BodyBudget.give} once its
 * call is answered.
 */
export class BodyBudget {
  #free: number;

  /**
   * Starts with every byte free.
   * @param bytes The bytes all bodies together may hold.
   */
  constructor(bytes = MAX_BUFFERED_BYTES) {
    this.#free = bytes;
  }

  /** Takes `bytes` if that many are free; returns whether it did. */
  take(bytes: number): boolean {
    if (bytes > this.#free) return false;
    this.#free -= bytes;
    return true;
  }

  /** Gives back bytes taken before. */
  give(bytes: number): void {
    this.#free += bytes;
  }
}

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
 * @returns The raw body bytes.
 * @throws {WebhookError} 413 `RESOURCE_EXHAUSTED` when the body is too large;
 * 503 `UNAVAILABLE` when it fits the limit but not the budget.
 */
export async function readBody(
  request: Request,
  limit = MAX_BODY_BYTES,
  budget: BodyBudget = new BodyBudget(Infinity),
): Promise<Uint8Array> {
  const declared = request.headers.get("content-length");
  if (declared !== null && /^\d+$/.test(declared)) {
    const size = Number(declared);
    if (size > limit) {
      await request.body?.cancel();
      throw tooLarge(limit);
    }
    if (!budget.take(size)) {
      await request.body?.cancel();
      throw busy();
    }
    try {
      // The HTTP layer ends the body at Content-Length, so it cannot grow past it.
      return await request.bytes();
    } catch (error) {
      budget.give(size);
      throw error;
    }
  }
  if (request.body === null) return new Uint8Array(0);
  return await readStream(request.body, limit, budget);
}

/**
 * Reads a body of unknown length into buffers of our own (a BYOB reader),
 * each filled before the next is made: the default reader hands out a new
 * 64 KiB buffer per read, and under ten concurrent 100 MB chunked uploads the
 * dropped ones alone grew the peak RSS by 40 MiB before V8 collected them.
 */
async function readStream(
  stream: ReadableStream<Uint8Array>,
  limit: number,
  budget: BodyBudget,
): Promise<Uint8Array> {
  const reader = byteReader(stream);
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
        // The read moved the buffer's memory into `value`.
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

function tooLarge(limit: number): WebhookError {
  return new WebhookError(
    "RESOURCE_EXHAUSTED",
    `Request body is larger than the limit of ${limit} bytes`,
    { status: 413 },
  );
}

/**
 * Reading a request body once, under a size limit.
 *
 * @module
 */

import { WebhookError } from "./error.ts";

/** The largest body UserHub's Go SDK accepts, and so do we: 5 MiB. */
export const MAX_BODY_BYTES = 5 * 1024 * 1024;

/**
 * Reads the whole body of a request, refusing one over `limit` bytes. The
 * decision comes from `Content-Length` when it is sent, and otherwise while
 * reading, so no more than `limit` bytes are ever buffered.
 *
 * @param request The incoming request; its body is consumed or cancelled.
 * @param limit The most bytes to accept.
 * @returns The raw body bytes.
 * @throws {WebhookError} 413 `RESOURCE_EXHAUSTED` when the body is too large.
 */
export async function readBody(request: Request, limit = MAX_BODY_BYTES): Promise<Uint8Array> {
  const declared = request.headers.get("content-length");
  if (declared !== null && /^\d+$/.test(declared)) {
    if (Number(declared) > limit) {
      await request.body?.cancel();
      throw tooLarge(limit);
    }
    // The HTTP layer ends the body at Content-Length, so it cannot grow past it.
    return new Uint8Array(await request.arrayBuffer());
  }
  if (request.body === null) return new Uint8Array(0);

  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  while (true) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0]!;
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.length;
  }
  return body;
}

function tooLarge(limit: number): WebhookError {
  return new WebhookError(
    "RESOURCE_EXHAUSTED",
    `Request body is larger than the limit of ${limit} bytes`,
    { status: 413 },
  );
}

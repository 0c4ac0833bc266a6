/**
 * Slow bodies against the app served by `Deno.serve` on an ephemeral port,
 * with a body deadline of 300 ms: each is answered 408 with
 * `connection: close`, and its connection is closed, not kept for another
 * request, once the rest of the body has arrived.
 *
 * @module
 */

import assert from "node:assert/strict";
import { createApp } from "./mod.ts";
import { recordingLogger, SECRET } from "../tests/fixtures.ts";
import { slowClient, type SlowClientResult } from "../tests/slow_client.ts";

const DEADLINE_MS = 300;

/** Serves the app with the short deadline for the duration of `fn`. */
async function withSlowServer(fn: (port: number, lines: string[]) => Promise<void>) {
  const logger = recordingLogger();
  const app = createApp({ secrets: [SECRET], logger, bodyTimeout: DEADLINE_MS });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, app);
  try {
    await fn(server.addr.port, logger.lines);
  } finally {
    await server.shutdown();
  }
}

/** Asserts an answer with `status` and `connection: close`, then the server's close soon after the body. */
function assertClosedAfter(result: SlowClientResult, status: number, label: string): void {
  const seen = JSON.stringify(result);
  assert.equal(result.status, status, `${label}: ${seen}`);
  assert.ok(result.connectionClose, `${label} was answered without connection: close: ${seen}`);
  assert.ok(result.sentAllMs !== undefined, `${label} could not send its whole body: ${seen}`);
  assert.ok(result.closedMs !== undefined, `${label} was left open: ${seen}`);
  assert.ok(result.closedMs - result.sentAllMs < 2000, `${label} closed late: ${seen}`);
}

Deno.test("slow bodies are answered 408 with connection: close, and their connections closed", async () => {
  await withSlowServer(async (port, lines) => {
    // 40 with a Content-Length, 10 chunked: 12 bytes, one every 100 ms, outlast the deadline.
    const clients = Array.from(
      { length: 50 },
      (_, i) => slowClient({ port, bytes: 12, everyMs: 100, chunked: i >= 40, maxMs: 10_000 }),
    );
    const results = await Promise.all(clients);
    results.forEach((result, i) => {
      const label = `client ${i}${i >= 40 ? " (chunked)" : ""}`;
      assertClosedAfter(result, 408, label);
      const answered = result.answeredMs!;
      assert.ok(
        answered >= DEADLINE_MS - 50 && answered < 5000,
        `${label} answered at ${answered}`,
      );
    });
    const refused = `warn: Rejected (408): Request body did not arrive within ${
      DEADLINE_MS / 1000
    } s`;
    assert.deepEqual(lines, Array(50).fill(refused));
  });
});

Deno.test("a body refused from its Content-Length is answered 413 with connection: close, and its connection closed", async () => {
  await withSlowServer(async (port) => {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    const size = 5 * 1024 * 1024 + 1;
    await conn.write(
      new TextEncoder().encode(
        `POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Length: ${size}\r\n\r\n`,
      ),
    );
    const answer = new Response(conn.readable).text().catch(() => "reset");
    const chunk = new Uint8Array(64 * 1024);
    for (let sent = 0; sent < size;) {
      sent += await conn.write(chunk.subarray(0, Math.min(chunk.length, size - sent)));
    }
    // The whole answer is there only once the server has closed the connection.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const text = await Promise.race([
      answer,
      new Promise<string>((resolve) => timer = setTimeout(() => resolve("left open"), 10_000)),
    ]);
    clearTimeout(timer);
    if (text === "left open") conn.close();
    assert.notEqual(text, "left open", "the server kept the connection open");
    assert.match(text, /^HTTP\/1\.1 413 /);
    assert.match(text, /^connection: close\r$/im);
    assert.match(text, /"code":"RESOURCE_EXHAUSTED"/);
  });
});

/**
 * The app served by `Deno.serve` on an ephemeral port and called over real
 * HTTP: the 5 MiB cap on bodies with and without `Content-Length`, streamed
 * bodies, and bodies the client cuts off.
 *
 * @module
 */

import assert from "node:assert/strict";
import { signedRequest } from "../tests/fixtures.ts";
import { assertError, organizationEvent, testApp } from "../tests/test_app.ts";

/** A stream that yields `bytes` in chunks of `size`, as a chunked upload sends them. */
function streamOf(bytes: Uint8Array, size: number): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(offset, offset + size));
      offset += size;
    },
  });
}

/** Serves the app on an ephemeral port for the duration of `fn`. */
async function withServer(fn: (url: string, lines: string[]) => Promise<void>): Promise<void> {
  const { app, lines } = testApp();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, app);
  try {
    await fn(`http://127.0.0.1:${server.addr.port}`, lines);
  } finally {
    await server.shutdown();
  }
}

/** Sends a signed body of 5 MiB and `extra` bytes as a stream, without `Content-Length`. */
async function sendStreamedFiveMiB(base: string, extra: number): Promise<void> {
  const size = 5 * 1024 * 1024 + extra;
  const body = new TextEncoder().encode(
    organizationEvent + " ".repeat(size - organizationEvent.length),
  );
  const request = await signedRequest({ body, url: `${base}/webhook` });
  await request.body?.cancel();
  const response = await fetch(`${base}/webhook`, {
    method: "POST",
    headers: request.headers,
    body: streamOf(body, 100_000),
  });
  if (extra) await assertError(response, 413, "RESOURCE_EXHAUSTED");
  else {
    assert.equal(response.status, 200);
    await response.body?.cancel();
  }
}

/** Each step gets the server's base URL and its log lines. */
const serverSteps: Record<string, (base: string, lines: string[]) => Promise<void>> = {
  "answers a signed event sent with fetch": async (base, lines) => {
    const request = await signedRequest({ body: organizationEvent, url: `${base}/webhook` });
    const response = await fetch(request);
    assert.equal(response.status, 200);
    assert.equal(await response.text(), "{}");
    assert.ok(lines.includes("info: Event: organizations.changed"));
  },

  "refuses a body over 5 MiB from its Content-Length with 413": async (base) => {
    const body = new Uint8Array(5 * 1024 * 1024 + 1).fill(0x20);
    const request = await signedRequest({ body, url: `${base}/webhook` });
    const response = await fetch(request);
    await assertError(response, 413, "RESOURCE_EXHAUSTED");
  },

  "accepts a body of exactly 5 MiB": async (base) => {
    const padding = 5 * 1024 * 1024 - organizationEvent.length;
    const body = new TextEncoder().encode(organizationEvent + " ".repeat(padding));
    assert.equal(body.length, 5 * 1024 * 1024);
    const response = await fetch(await signedRequest({ body, url: `${base}/webhook` }));
    assert.equal(response.status, 200);
    await response.body?.cancel();
  },

  "refuses a streamed body over 5 MiB without Content-Length with 413": async (base) => {
    const request = await signedRequest({ body: organizationEvent, url: `${base}/webhook` });
    let sent = 0;
    const chunk = new Uint8Array(64 * 1024).fill(0x20);
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        // Stop at 8 MiB whatever happens, so a broken limit cannot make the test hang.
        if (sent >= 8 * 1024 * 1024) return controller.close();
        sent += chunk.length;
        controller.enqueue(chunk);
      },
    });
    const response = await fetch(`${base}/webhook`, {
      method: "POST",
      headers: request.headers,
      body: stream,
    });
    await request.body?.cancel();
    await assertError(response, 413, "RESOURCE_EXHAUSTED");
  },

  "a signed streamed body of 5 MiB exactly is accepted": (base) => sendStreamedFiveMiB(base, 0),

  "a signed streamed body of 5 MiB + 1 byte is 413": (base) => sendStreamedFiveMiB(base, 1),

  "answers a body cut off by the client with 400, not 500": async (base) => {
    const { port } = new URL(base);
    for (
      const head of [
        "Content-Length: 1000\r\n\r\n" + "x".repeat(200),
        "Transfer-Encoding: chunked\r\n\r\nc8\r\n" + "x".repeat(200) + "\r\n",
      ]
    ) {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port: Number(port) });
      const request = `POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n${head}`;
      await conn.write(new TextEncoder().encode(request));
      await conn.closeWrite();
      const answer = new TextDecoder().decode(await new Response(conn.readable).arrayBuffer());
      assert.match(answer, /^HTTP\/1\.1 400 /, answer);
      assert.match(answer, /"code":"INVALID_ARGUMENT"/);
    }
  },

  "accepts a streamed body under the limit": async (base) => {
    const request = await signedRequest({ body: organizationEvent, url: `${base}/webhook` });
    const bytes = new TextEncoder().encode(organizationEvent);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.slice(0, 10));
        controller.enqueue(bytes.slice(10));
        controller.close();
      },
    });
    const response = await fetch(`${base}/webhook`, {
      method: "POST",
      headers: request.headers,
      body: stream,
    });
    await request.body?.cancel();
    assert.equal(response.status, 200);
    await response.body?.cancel();
  },
};

Deno.test("a real server on an ephemeral port", async (t) => {
  await withServer(async (base, lines) => {
    for (const [name, step] of Object.entries(serverSteps)) {
      await t.step(name, () => step(base, lines));
    }
  });
});

import assert from "node:assert/strict";
import { NOW_MS, recordingLogger, SECRET, signedRequest } from "../tests/fixtures.ts";
import { readBody } from "./_body.ts";
import { BodyBudget } from "./_body_limits.ts";
import { WebhookError } from "./errors.ts";
import { Webhook } from "./webhook.ts";

const KB = 1024;

/** A stream of `size` bytes in 1 KiB chunks, of unknown length. */
function stream(size: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= size) return controller.close();
      const chunk = new Uint8Array(Math.min(KB, size - sent)).fill(0x20);
      sent += chunk.length;
      controller.enqueue(chunk);
    },
  });
}

function isError(status: number, code: string) {
  return (error: unknown) =>
    error instanceof WebhookError && error.status === status && error.code === code;
}

/** Runs `fn` with a server whose handler reads bodies under `limit` and `budget`. */
async function withBodyServer(
  limit: number,
  budget: BodyBudget,
  fn: (url: string) => Promise<void>,
): Promise<void> {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    try {
      const body = await readBody(req, limit, budget);
      budget.give(body.length);
      return new Response(String(body.length));
    } catch (error) {
      return new Response((error as WebhookError).code, { status: (error as WebhookError).status });
    }
  });
  try {
    await fn(`http://127.0.0.1:${server.addr.port}`);
  } finally {
    await server.shutdown();
  }
}

Deno.test("readBody() takes the bytes it keeps from the budget", async () => {
  const budget = new BodyBudget(10 * KB);
  const body = await readBody(
    new Request("http://x/", { method: "POST", body: stream(4 * KB) }),
    8 * KB,
    budget,
  );
  assert.equal(body.length, 4 * KB);
  assert.equal(budget.take(6 * KB + 1), false);
  budget.give(body.length);
  assert.equal(budget.take(10 * KB), true);
});

Deno.test("readBody() answers 503 for a body within the limit but over the budget, and gives the bytes back", async () => {
  const budget = new BodyBudget(3 * KB);
  await assert.rejects(
    readBody(new Request("http://x/", { method: "POST", body: stream(4 * KB) }), 8 * KB, budget),
    (error: unknown) =>
      isError(503, "UNAVAILABLE")(error) && (error as WebhookError).headers["retry-after"] === "1",
  );
  assert.equal(budget.take(3 * KB), true);
});

Deno.test("readBody() still answers 413 for a body over the limit once the budget ran out", async () => {
  const budget = new BodyBudget(2 * KB);
  await assert.rejects(
    readBody(new Request("http://x/", { method: "POST", body: stream(20 * KB) }), 8 * KB, budget),
    isError(413, "RESOURCE_EXHAUSTED"),
  );
  assert.equal(budget.take(2 * KB), true);
});

Deno.test("readBody() over a real connection", async (t) => {
  const budget = new BodyBudget(6 * KB);
  await withBodyServer(8 * KB, budget, async (url) => {
    await t.step("keeps a streamed body within limit and budget", async () => {
      const response = await fetch(url, { method: "POST", body: stream(5 * KB) });
      assert.equal(await response.text(), String(5 * KB));
    });
    await t.step("answers 503 for a streamed body over the budget", async () => {
      const response = await fetch(url, { method: "POST", body: stream(7 * KB) });
      assert.equal(response.status, 503);
      await response.body?.cancel();
    });
    await t.step("answers 413 for a streamed body over the limit", async () => {
      const response = await fetch(url, { method: "POST", body: stream(64 * KB) });
      assert.equal(response.status, 413);
      await response.body?.cancel();
    });
    await t.step("answers 503 for a Content-Length over the free budget", async () => {
      const response = await fetch(url, { method: "POST", body: new Uint8Array(7 * KB) });
      assert.equal(response.status, 503);
      await response.body?.cancel();
    });
    await t.step("has every byte back afterwards", () => {
      assert.equal(budget.take(6 * KB), true);
      budget.give(6 * KB);
    });
  });
});

Deno.test("Webhook gives a body's bytes back once its call is answered", async () => {
  const body = JSON.stringify({ challenge: "x".repeat(600) });
  const webhook = new Webhook({
    secret: SECRET,
    now: () => NOW_MS,
    logger: recordingLogger(),
    maxBufferedBytes: 1000,
  });
  for (let i = 0; i < 5; i++) {
    const response = await webhook.handleFromWeb(
      await signedRequest({ body, action: "challenge" }),
    );
    assert.equal(response.status, 200, `call ${i}`);
    await response.body?.cancel();
  }
  const refused = await webhook.handleFromWeb(
    await signedRequest({ body, action: "challenge", secret: "whsec_other" }),
  );
  assert.equal(refused.status, 401);
  await refused.body?.cancel();
  const after = await webhook.handleFromWeb(await signedRequest({ body, action: "challenge" }));
  assert.equal(after.status, 200);
  await after.body?.cancel();
});

/** Sends `head` (request line, headers and a part of the body) on a raw connection, then stalls. */
async function stall(port: number, head: string): Promise<{ answer: string; ms: number }> {
  using conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const started = performance.now();
  await conn.write(new TextEncoder().encode(head));
  const buffer = new Uint8Array(4096);
  const read = await conn.read(buffer);
  const answer = new TextDecoder().decode(buffer.subarray(0, read ?? 0));
  return { answer, ms: performance.now() - started };
}

Deno.test("Webhook answers 408 for a body that stalls, releases its bytes, and logs one line", async () => {
  const logger = recordingLogger();
  const webhook = new Webhook({
    secret: SECRET,
    now: () => NOW_MS,
    logger,
    bodyTimeout: 300,
    maxBufferedBytes: 1000,
  });
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (request) => webhook.handleFromWeb(request),
  );
  try {
    const { port } = server.addr;
    const heads = [
      'POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Length: 900\r\n\r\n{"challenge":',
      'POST /webhook HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{"cha\r\n',
    ];
    for (const head of heads) {
      const { answer, ms } = await stall(port, head);
      assert.match(answer, /^HTTP\/1\.1 408 /, answer);
      assert.match(answer, /"code":"DEADLINE_EXCEEDED"/);
      assert.ok(ms >= 250 && ms < 5000, `answered after ${ms} ms`);
    }
    assert.deepEqual(logger.lines, [
      "warn: Rejected (408): Request body did not arrive within 0.3 s",
      "warn: Rejected (408): Request body did not arrive within 0.3 s",
    ]);
    // Every byte is back: a body that takes the whole budget is still read.
    const body = JSON.stringify({ challenge: "x".repeat(950) });
    const response = await fetch(
      await signedRequest({ body, action: "challenge", url: `http://127.0.0.1:${port}/webhook` }),
    );
    assert.equal(response.status, 200);
    await response.body?.cancel();
  } finally {
    await server.shutdown();
  }
});

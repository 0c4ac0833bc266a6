import assert from "node:assert/strict";
import {
  countingKv,
  eventBody,
  NOW_MS,
  NOW_S,
  recordingLogger,
  SECRET,
  signedRequest,
  withKv,
} from "../tests/fixtures.ts";
import { brokenGuard, guardedWebhook } from "../tests/guarded_webhook.ts";
import { KvDeliveryGuard } from "../dedupe/mod.ts";
import { Webhook } from "./webhook.ts";

const userEvent = eventBody("users.changed");

Deno.test("Webhook with a KV guard makes two KV writes and no read for a new event", async () => {
  await withKv(async (raw) => {
    const { kv, counts } = countingKv(raw);
    const { webhook, runs } = guardedWebhook(new KvDeliveryGuard(kv));
    const response = await webhook.handleFromWeb(await signedRequest({ body: userEvent }));
    assert.equal(response.status, 200);
    assert.equal(runs.events.length, 1);
    assert.deepEqual(counts, { reads: 0, writes: 2 });
  });
});

Deno.test("Webhook with a KV guard answers a repeat of a handled event from memory, with no KV round trip", async () => {
  await withKv(async (raw) => {
    const { kv, counts } = countingKv(raw);
    const { webhook, runs } = guardedWebhook(new KvDeliveryGuard(kv));
    const request = await signedRequest({ body: userEvent });
    await webhook.handleFromWeb(request.clone());
    counts.reads = counts.writes = 0;
    for (let i = 0; i < 3; i++) {
      const response = await webhook.handleFromWeb(request.clone());
      assert.equal(response.status, 200);
    }
    assert.equal(runs.events.length, 1);
    assert.deepEqual(counts, { reads: 0, writes: 0 });

    // A redelivery signs new bytes: they are recorded, but the event needs no read.
    const redelivery = await signedRequest({ body: userEvent, timestamp: NOW_S + 1 });
    assert.equal((await webhook.handleFromWeb(redelivery)).status, 200);
    assert.equal(runs.events.length, 1);
    assert.deepEqual(counts, { reads: 1, writes: 1 });
  });
});

Deno.test("Webhook with a KV guard keeps the claim of a handler that outlives its lease", async () => {
  await withKv(async (kv) => {
    const guard = new KvDeliveryGuard(kv, { lease: 300 });
    let runs = 0;
    const webhook = new Webhook({ secret: SECRET, logger: recordingLogger(), guard })
      .onEvent(async () => {
        runs++;
        await new Promise((resolve) => setTimeout(resolve, 1200));
      });
    const deliver = async () =>
      await webhook.handleFromWeb(
        await signedRequest({ body: userEvent, timestamp: Math.floor(Date.now() / 1000) }),
      );
    const first = deliver();
    // Two and a half leases later, a redelivery finds the claim still held.
    await new Promise((resolve) => setTimeout(resolve, 750));
    const second = await deliver();
    assert.equal(second.status, 409);
    await second.body?.cancel();
    assert.equal((await first).status, 200);
    assert.equal((await deliver()).status, 200);
    assert.equal(runs, 1);
  });
});

Deno.test("Webhook with a KV guard records every accepted signed request, whatever handlers it has", async () => {
  await withKv(async (raw) => {
    const { kv, counts } = countingKv(raw);
    const runs: string[] = [];
    const webhook = new Webhook({
      secret: SECRET,
      now: () => NOW_MS,
      logger: recordingLogger(),
      guard: new KvDeliveryGuard(kv),
    }).onEvent((event) => void runs.push(event.id));
    const event = await signedRequest({ body: userEvent });
    assert.equal((await webhook.handleFromWeb(event.clone())).status, 200);
    // The claim with the signed request, then the done mark.
    assert.deepEqual(counts, { reads: 0, writes: 2 });
    const challenge = await signedRequest({ body: '{"challenge":"abc"}', action: "challenge" });
    assert.equal((await webhook.handleFromWeb(challenge)).status, 200);
    const kinds = new Map<unknown, number>();
    for await (const entry of raw.list({ prefix: [] })) {
      kinds.set(entry.key[1], (kinds.get(entry.key[1]) ?? 0) + 1);
    }
    assert.deepEqual(Object.fromEntries(kinds), { event: 1, signed: 2 });
    // The event's bytes as a users.* call: no handler here, so nothing runs.
    const replay = new Request(event.url, {
      method: "POST",
      headers: event.headers,
      body: userEvent,
    });
    replay.headers.set("userhub-action", "users.delete");
    const refused = await webhook.handleFromWeb(replay);
    assert.equal(refused.status, 501);
    await refused.body?.cancel();
    assert.deepEqual(runs, ["evt_2LLkDJKdGvDCRh3JFsZQ9j"]);
  });
});

Deno.test("Webhook with a guard runs an event once for two identical deliveries", async () => {
  await withKv(async (kv) => {
    const { webhook, runs, lines } = guardedWebhook(new KvDeliveryGuard(kv));
    for (let i = 0; i < 2; i++) {
      const response = await webhook.handleFromWeb(await signedRequest({ body: userEvent }));
      assert.equal(response.status, 200);
      assert.equal(await response.text(), "{}");
    }
    assert.equal(runs.events.length, 1);
    assert.deepEqual(lines, [
      "info: Duplicate: evt_2LLkDJKdGvDCRh3JFsZQ9j (users.changed) already handled, skipped",
    ]);
  });
});

Deno.test("Webhook with a guard treats a redelivery with a new signature as the same event", async () => {
  await withKv(async (kv) => {
    const { webhook, runs } = guardedWebhook(new KvDeliveryGuard(kv));
    for (const timestamp of [NOW_S - 30, NOW_S]) {
      const response = await webhook.handleFromWeb(
        await signedRequest({ body: userEvent, timestamp }),
      );
      assert.equal(response.status, 200);
      await response.body?.cancel();
    }
    assert.equal(runs.events.length, 1);
  });
});

Deno.test("Webhook with a guard releases the event when its handler fails", async () => {
  await withKv(async (kv) => {
    const logger = recordingLogger();
    let calls = 0;
    const webhook = new Webhook({
      secret: SECRET,
      now: () => NOW_MS,
      logger,
      guard: new KvDeliveryGuard(kv, { now: () => NOW_MS }),
    }).onEvent(() => {
      calls++;
      if (calls === 1) throw new Error("SMTP down");
    });
    const failed = await webhook.handleFromWeb(await signedRequest({ body: userEvent }));
    assert.equal(failed.status, 500);
    await failed.body?.cancel();
    const redelivered = await webhook.handleFromWeb(await signedRequest({ body: userEvent }));
    assert.equal(redelivered.status, 200);
    await redelivered.body?.cancel();
    const duplicate = await webhook.handleFromWeb(await signedRequest({ body: userEvent }));
    assert.equal(duplicate.status, 200);
    await duplicate.body?.cancel();
    assert.equal(calls, 2);
  });
});

Deno.test("Webhook with a guard answers 409 ABORTED with Retry-After while another delivery runs", async () => {
  await withKv(async (kv) => {
    const gate = Promise.withResolvers<void>();
    const started = Promise.withResolvers<void>();
    let calls = 0;
    const webhook = new Webhook({
      secret: SECRET,
      now: () => NOW_MS,
      logger: recordingLogger(),
      guard: new KvDeliveryGuard(kv, { now: () => NOW_MS }),
    }).onEvent(async () => {
      calls++;
      started.resolve();
      await gate.promise;
    });
    const first = webhook.handleFromWeb(await signedRequest({ body: userEvent }));
    await started.promise;
    const second = await webhook.handleFromWeb(await signedRequest({ body: userEvent }));
    assert.equal(second.status, 409);
    assert.equal(second.headers.get("retry-after"), "60");
    assert.equal((await second.json()).code, "ABORTED");
    gate.resolve();
    const done = await first;
    assert.equal(done.status, 200);
    await done.body?.cancel();
    assert.equal(calls, 1);
  });
});

Deno.test("Webhook with a failing guard answers 503 UNAVAILABLE and runs nothing", async (t) => {
  const { webhook, runs, lines } = guardedWebhook(brokenGuard);

  await t.step("an event", async () => {
    const response = await webhook.handleFromWeb(await signedRequest({ body: userEvent }));
    assert.equal(response.status, 503);
    assert.equal(response.headers.get("retry-after"), "5");
    assert.equal((await response.json()).code, "UNAVAILABLE");
    assert.equal(runs.events.length, 0);
  });

  await t.step("a users.* call", async () => {
    const response = await webhook.handleFromWeb(
      await signedRequest({ body: '{"id":"usr_1"}', action: "users.delete" }),
    );
    assert.equal(response.status, 503);
    assert.equal((await response.json()).code, "UNAVAILABLE");
    assert.deepEqual(runs.actions, []);
  });

  await t.step("but a challenge is still answered", async () => {
    const body = '{"challenge":"abc"}';
    const response = await webhook.handleFromWeb(
      await signedRequest({ body, action: "challenge" }),
    );
    assert.equal(response.status, 200);
    assert.equal(await response.text(), body);
  });

  await t.step("and the failures are logged as errors, not as handler failures", () => {
    assert.ok(
      lines.some((line) => line.startsWith("error: Refused events.handle (503)")),
      lines.join("\n"),
    );
    assert.ok(lines.every((line) => !line.includes("Handler failed")));
  });
});

Deno.test("Webhook with a guard answers 200 when the handler ran but the done mark fails", async () => {
  const logger = recordingLogger();
  let calls = 0;
  const webhook = new Webhook({
    secret: SECRET,
    now: () => NOW_MS,
    logger,
    guard: {
      ...brokenGuard,
      rememberSigned: () => Promise.resolve(undefined),
      claim: () => Promise.resolve({ status: "claimed", token: "t" }),
    },
  }).onEvent(() => void calls++);
  const response = await webhook.handleFromWeb(await signedRequest({ body: userEvent }));
  assert.equal(response.status, 200);
  await response.body?.cancel();
  assert.equal(calls, 1);
  assert.match(logger.lines.join("\n"), /cannot record it as done/);
});

Deno.test("Webhook with a guard marks an event done only once the thenable its handler returned settled", async () => {
  await withKv(async (kv) => {
    let attempts = 0;
    const webhook = new Webhook({
      secret: SECRET,
      now: () => NOW_MS,
      logger: recordingLogger(),
      onError: () => {},
      guard: new KvDeliveryGuard(kv, { now: () => NOW_MS }),
    }).onEvent(() => ({
      // A query builder's lazy result, which fails the first time.
      then(resolve: () => void, reject: (error: Error) => void) {
        setTimeout(() => ++attempts === 1 ? reject(new Error("deadlock")) : resolve(), 10);
      },
    }));
    const statuses = [];
    for (let i = 0; i < 3; i++) {
      const response = await webhook.handleFromWeb(await signedRequest({ body: userEvent }));
      statuses.push(response.status);
      await response.body?.cancel();
    }
    assert.deepEqual(statuses, [500, 200, 200]);
    assert.equal(attempts, 2, "the failed attempt was marked done, or the duplicate ran");
  });
});

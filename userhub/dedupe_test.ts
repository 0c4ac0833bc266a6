import assert from "node:assert/strict";
import { eventBody, NOW_MS, NOW_S, recordingLogger, SECRET, signedRequest } from "../_testing.ts";
import { type DeliveryGuard, KvDeliveryGuard, signedDigest } from "./dedupe.ts";
import type { Event } from "./event.ts";
import { Webhook } from "./webhook.ts";

/** A clock that tests move by hand. */
function testClock(start = NOW_MS) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

/** A fresh in-memory KV, closed when the test ends. */
async function withKv(fn: (kv: Deno.Kv) => Promise<void>): Promise<void> {
  const kv = await Deno.openKv(":memory:");
  try {
    await fn(kv);
  } finally {
    kv.close();
  }
}

/** A guard whose every operation throws, as a store that is down. */
const brokenGuard: DeliveryGuard = {
  claim: () => Promise.reject(new Error("kv down")),
  complete: () => Promise.reject(new Error("kv down")),
  release: () => Promise.reject(new Error("kv down")),
  rememberSigned: () => Promise.reject(new Error("kv down")),
};

/** The same broken store, with the one-step claim of a new event too. */
const brokenFastGuard: DeliveryGuard = {
  ...brokenGuard,
  claimUnseen: () => Promise.reject(new Error("kv down")),
};

/** A signed request as an event's, remembered for 10 minutes. */
function signedAs(digest: string) {
  return { digest, action: "events.handle", ttl: 600_000 };
}

/** Counts the store's round trips: reads, atomic commits and plain writes. */
function countingKv(kv: Deno.Kv) {
  const counts = { reads: 0, writes: 0 };
  const counted = new Proxy(kv, {
    get(target, name) {
      if (name === "get" || name === "getMany") {
        return (...args: unknown[]) => {
          counts.reads++;
          return (target[name] as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      if (name === "set" || name === "delete") {
        return (...args: unknown[]) => {
          counts.writes++;
          return (target[name] as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      if (name === "atomic") {
        return () => {
          const operation = target.atomic();
          const commit = operation.commit.bind(operation);
          operation.commit = () => {
            counts.writes++;
            return commit();
          };
          return operation;
        };
      }
      const value = Reflect.get(target, name, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { kv: counted, counts };
}

/** A webhook over a guard, whose handlers count their runs. */
function guardedWebhook(guard: DeliveryGuard, now: () => number = () => NOW_MS) {
  const logger = recordingLogger();
  const runs = { events: [] as Event[], actions: [] as string[] };
  const webhook = new Webhook({ secret: SECRET, now, logger, guard })
    .onEvent((event) => void runs.events.push(event))
    .onAction("users.delete", ({ id }) => {
      runs.actions.push(`users.delete ${id}`);
      return {};
    })
    .onAction("users.update", (user) => {
      runs.actions.push(`users.update ${user.id}`);
      return user;
    });
  return { webhook, runs, lines: logger.lines };
}

const userEvent = eventBody("users.changed");

Deno.test("KvDeliveryGuard.claim() gives an event to one delivery until it is released or done", async () => {
  await withKv(async (kv) => {
    const guard = new KvDeliveryGuard(kv, { now: () => NOW_MS });
    const first = await guard.claim("evt_1");
    assert.equal(first.status, "claimed");
    assert.deepEqual(await guard.claim("evt_1"), { status: "busy", retryAfter: 60 });
    assert.equal((await guard.claim("evt_2")).status, "claimed");

    await guard.release("evt_1", first.status === "claimed" ? first.token : "");
    const second = await guard.claim("evt_1");
    assert.equal(second.status, "claimed");
    await guard.complete("evt_1");
    assert.deepEqual(await guard.claim("evt_1"), { status: "done" });
  });
});

Deno.test("KvDeliveryGuard.claim() takes over an expired lease, and the old holder cannot release it", async () => {
  await withKv(async (kv) => {
    const clock = testClock();
    const guard = new KvDeliveryGuard(kv, { now: clock.now, lease: 60_000 });
    const crashed = await guard.claim("evt_1");
    assert.equal(crashed.status, "claimed");
    clock.advance(59_500);
    assert.deepEqual(await guard.claim("evt_1"), { status: "busy", retryAfter: 1 });
    clock.advance(500);
    const next = await guard.claim("evt_1");
    assert.equal(next.status, "claimed");

    await guard.release("evt_1", crashed.status === "claimed" ? crashed.token : "");
    assert.equal((await guard.claim("evt_1")).status, "busy");
  });
});

Deno.test("KvDeliveryGuard forgets a handled event after the retention", async () => {
  await withKv(async (kv) => {
    const clock = testClock();
    const guard = new KvDeliveryGuard(kv, { now: clock.now, retention: 7 * 86_400_000 });
    await guard.claim("evt_1");
    await guard.complete("evt_1");
    clock.advance(7 * 86_400_000 - 1);
    assert.equal((await guard.claim("evt_1")).status, "done");
    clock.advance(1);
    assert.equal((await guard.claim("evt_1")).status, "claimed");
  });
});

Deno.test("KvDeliveryGuard.claim() gives one of many concurrent claims the event", async () => {
  await withKv(async (kv) => {
    const guards = [new KvDeliveryGuard(kv), new KvDeliveryGuard(kv)];
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => guards[i % 2]!.claim("evt_1")),
    );
    assert.equal(results.filter((result) => result.status === "claimed").length, 1);
    assert.equal(results.filter((result) => result.status === "busy").length, 39);
  });
});

Deno.test("KvDeliveryGuard.rememberSigned() answers the first action, until the window ends", async () => {
  await withKv(async (kv) => {
    const clock = testClock();
    const guard = new KvDeliveryGuard(kv, { now: clock.now });
    assert.equal(await guard.rememberSigned("d1", "events.handle", 600_000), undefined);
    assert.equal(await guard.rememberSigned("d1", "users.delete", 600_000), "events.handle");
    assert.equal(await guard.rememberSigned("d2", "users.delete", 600_000), undefined);
    clock.advance(600_000);
    assert.equal(await guard.rememberSigned("d1", "users.delete", 600_000), undefined);
  });
});

Deno.test("KvDeliveryGuard.claimUnseen() claims a new event and records its request in one write", async () => {
  await withKv(async (raw) => {
    const { kv, counts } = countingKv(raw);
    const guard = new KvDeliveryGuard(kv);
    const token = await guard.claimUnseen("evt_1", signedAs("d1"));
    assert.equal(typeof token, "string");
    assert.deepEqual(counts, { reads: 0, writes: 1 });
    // Both records exist now, as claim() and rememberSigned() would have left them.
    assert.equal((await guard.claim("evt_1")).status, "busy");
    assert.equal(await guard.rememberSigned("d1", "users.delete", 600_000), "events.handle");
  });
});

Deno.test("KvDeliveryGuard.claimUnseen() gives one of many concurrent first deliveries the event", async () => {
  await withKv(async (kv) => {
    const guards = [new KvDeliveryGuard(kv), new KvDeliveryGuard(kv)];
    const tokens = await Promise.all(
      Array.from(
        { length: 40 },
        (_, i) => guards[i % 2]!.claimUnseen("evt_1", signedAs(`d${i}`)),
      ),
    );
    assert.equal(tokens.filter((token) => token !== undefined).length, 1);
  });
});

Deno.test("KvDeliveryGuard.claimUnseen() changes nothing when the event or the request was seen", async () => {
  await withKv(async (kv) => {
    const guard = new KvDeliveryGuard(kv);
    await guard.rememberSigned("d1", "events.handle", 600_000);
    assert.equal(await guard.claimUnseen("evt_1", signedAs("d1")), undefined);
    assert.equal((await guard.claim("evt_1")).status, "claimed", "evt_1 was left unclaimed");

    await guard.complete("evt_1");
    assert.equal(await guard.claimUnseen("evt_1", signedAs("d2")), undefined);
    assert.equal(
      await guard.rememberSigned("d2", "events.handle", 600_000),
      undefined,
      "d2 was left unrecorded",
    );
  });
});

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

Deno.test("Webhook with a KV guard and no action handlers records no signed request: nothing could replay them", async () => {
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
    assert.deepEqual(counts, { reads: 0, writes: 2 });
    // A redelivery, signed anew: known done in this process, answered without the store.
    const again = await signedRequest({ body: userEvent, timestamp: NOW_S + 1 });
    assert.equal((await webhook.handleFromWeb(again)).status, 200);
    assert.deepEqual(counts, { reads: 0, writes: 2 });
    const challenge = await signedRequest({ body: '{"challenge":"abc"}', action: "challenge" });
    assert.equal((await webhook.handleFromWeb(challenge)).status, 200);
    const keys = [];
    for await (const entry of raw.list({ prefix: [] })) keys.push(entry.key[1]);
    assert.deepEqual(keys, ["event"]);
    // The event's bytes as a users.* call: no handler, so nothing runs.
    const replay = new Request(event.url, {
      method: "POST",
      headers: event.headers,
      body: userEvent,
    });
    replay.headers.set("userhub-action", "users.delete");
    assert.equal((await webhook.handleFromWeb(replay)).status, 501);
    assert.deepEqual(runs, ["evt_2LLkDJKdGvDCRh3JFsZQ9j"]);
  });
});

Deno.test("Webhook asks the guard's isKnownDone() first, unless replay records must be written", async () => {
  const knownDone: DeliveryGuard = { ...brokenGuard, isKnownDone: () => true };
  const logger = recordingLogger();
  const eventsOnly = new Webhook({ secret: SECRET, now: () => NOW_MS, logger, guard: knownDone })
    .onEvent(() => assert.fail("the handler ran"));
  const response = await eventsOnly.handleFromWeb(await signedRequest({ body: userEvent }));
  assert.equal(response.status, 200);
  assert.deepEqual(logger.lines, [
    "info: Duplicate: evt_2LLkDJKdGvDCRh3JFsZQ9j (users.changed) already handled, skipped",
  ]);
  // With a users.* handler the signed bytes must be recorded: the (broken) store is asked.
  const { webhook } = guardedWebhook(knownDone);
  assert.equal((await webhook.handleFromWeb(await signedRequest({ body: userEvent }))).status, 503);
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

Deno.test("KvDeliveryGuard with memory 0 asks the store every time", async () => {
  await withKv(async (raw) => {
    const { kv, counts } = countingKv(raw);
    const guard = new KvDeliveryGuard(kv, { memory: 0 });
    await guard.claim("evt_1");
    await guard.complete("evt_1");
    counts.reads = counts.writes = 0;
    assert.equal((await guard.claim("evt_1")).status, "done");
    assert.equal((await guard.claim("evt_1")).status, "done");
    assert.deepEqual(counts, { reads: 2, writes: 0 });
  });
});

Deno.test("KvDeliveryGuard remembers a done event another server recorded once it has read it", async () => {
  await withKv(async (raw) => {
    const other = new KvDeliveryGuard(raw);
    await other.claim("evt_1");
    await other.complete("evt_1");
    const { kv, counts } = countingKv(raw);
    const guard = new KvDeliveryGuard(kv);
    assert.equal((await guard.claim("evt_1")).status, "done");
    assert.equal((await guard.claim("evt_1")).status, "done");
    assert.deepEqual(counts, { reads: 1, writes: 0 });
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

Deno.test("KvDeliveryGuard.holdClaim() stops renewing once the claim is no longer its token's", async () => {
  await withKv(async (raw) => {
    const { kv, counts } = countingKv(raw);
    const guard = new KvDeliveryGuard(kv, { lease: 90, memory: 0 });
    const claim = await guard.claim("evt_1");
    assert.equal(claim.status, "claimed");
    const stop = guard.holdClaim("evt_1", (claim as { token: string }).token);
    await guard.complete("evt_1");
    counts.reads = counts.writes = 0;
    // Eight renewal periods: the first renewal finds "done" and stops the rest.
    await new Promise((resolve) => setTimeout(resolve, 240));
    assert.deepEqual(counts, { reads: 1, writes: 0 });
    await stop();
    assert.equal((await guard.claim("evt_1")).status, "done");
  });
});

Deno.test("KvDeliveryGuard.holdClaim() survives one failed renewal", async () => {
  await withKv(async (raw) => {
    let failing = false;
    const get = raw.get.bind(raw);
    raw.get = ((...args: Parameters<Deno.Kv["get"]>) =>
      failing ? Promise.reject(new Error("kv down")) : get(...args)) as Deno.Kv["get"];
    const guard = new KvDeliveryGuard(raw, { lease: 300, memory: 0 });
    const claim = await guard.claim("evt_1");
    const stop = guard.holdClaim("evt_1", (claim as { token: string }).token);
    failing = true;
    await new Promise((resolve) =>
      setTimeout(resolve, 150)
    );
    failing = false;
    // Past the first lease: the claim is still held.
    await new Promise((resolve) => setTimeout(resolve, 350));
    assert.equal((await guard.claim("evt_1")).status, "busy");
    await stop();
  });
});

Deno.test("signedDigest() depends on the timestamp and the body only", async () => {
  const body = new TextEncoder().encode("{}");
  const digest = await signedDigest(NOW_S, body);
  assert.match(digest, /^[0-9a-f]{64}$/);
  assert.equal(await signedDigest(NOW_S, new TextEncoder().encode("{}")), digest);
  assert.notEqual(await signedDigest(NOW_S + 1, body), digest);
  assert.notEqual(await signedDigest(NOW_S, new TextEncoder().encode("{ }")), digest);
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

Deno.test("Webhook with a guard refuses a second copy of a users.* call with 409", async () => {
  await withKv(async (kv) => {
    const { webhook, runs, lines } = guardedWebhook(new KvDeliveryGuard(kv));
    const body = '{"id":"usr_1"}';
    const first = await webhook.handleFromWeb(
      await signedRequest({ body, action: "users.delete" }),
    );
    assert.equal(first.status, 200);
    await first.body?.cancel();
    const signature = (await signedRequest({ body, action: "users.delete" })).headers.get(
      "userhub-signature",
    )!;
    // The same signed bytes, with the hex upper-cased and a junk signature added.
    const replay = await webhook.handleFromWeb(
      await signedRequest({
        body,
        action: "users.delete",
        headers: { "userhub-signature": `${"0".repeat(64)},${signature.toUpperCase()}` },
      }),
    );
    assert.equal(replay.status, 409);
    assert.equal(replay.headers.get("retry-after"), null);
    assert.equal((await replay.json()).code, "ABORTED");
    assert.deepEqual(runs.actions, ["users.delete usr_1"]);
    assert.ok(lines.every((line) => !line.includes(signature) && !line.includes(SECRET)));
  });
});

Deno.test("Webhook with a guard refuses an event's signed bytes replayed under a users.* action", async () => {
  await withKv(async (kv) => {
    const { webhook, runs } = guardedWebhook(new KvDeliveryGuard(kv));
    const body = eventBody("users.changed", undefined, "usr_1");
    const event = await webhook.handleFromWeb(await signedRequest({ body }));
    assert.equal(event.status, 200);
    await event.body?.cancel();
    for (const action of ["users.update", "users.delete"]) {
      const replay = await webhook.handleFromWeb(await signedRequest({ body, action }));
      assert.equal(replay.status, 409, action);
      await replay.body?.cancel();
    }
    assert.deepEqual(runs.actions, []);
    assert.equal(runs.events.length, 1);
  });
});

Deno.test("Webhook with a guard refuses a users.* call's bytes replayed as an event", async () => {
  await withKv(async (kv) => {
    const { webhook, runs } = guardedWebhook(new KvDeliveryGuard(kv));
    // A body that would decode as an event, first accepted as users.update.
    const body = eventBody("users.changed");
    const update = await webhook.handleFromWeb(
      await signedRequest({ body, action: "users.update" }),
    );
    assert.equal(update.status, 200);
    await update.body?.cancel();
    const replay = await webhook.handleFromWeb(await signedRequest({ body }));
    assert.equal(replay.status, 409);
    await replay.body?.cancel();
    assert.equal(runs.events.length, 0);
  });
});

Deno.test("Webhook with a guard answers every copy of a challenge", async () => {
  await withKv(async (kv) => {
    const { webhook, runs } = guardedWebhook(new KvDeliveryGuard(kv));
    const body = '{"challenge":"abc"}';
    for (let i = 0; i < 2; i++) {
      const response = await webhook.handleFromWeb(
        await signedRequest({ body, action: "challenge" }),
      );
      assert.equal(response.status, 200);
      assert.equal(await response.text(), body);
    }
    // Its bytes are remembered all the same: they cannot be replayed as a users.* call.
    const replay = await webhook.handleFromWeb(
      await signedRequest({ body, action: "users.update" }),
    );
    assert.equal(replay.status, 409);
    await replay.body?.cancel();
    assert.deepEqual(runs.actions, []);
  });
});

for (const [name, broken] of [["", brokenGuard], [" (one-step claim)", brokenFastGuard]] as const) {
  Deno.test(`Webhook with a failing guard${name} answers 503 UNAVAILABLE and runs nothing`, async (t) => {
    const { webhook, runs, lines } = guardedWebhook(broken);

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
}

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

Deno.test("signedDigest() is the SHA-256 of <timestamp>.<body>, for small and large bodies", async () => {
  for (const size of [0, 1, 1600, 4096, 4097, 16 * 1024, 70_000]) {
    const body = new Uint8Array(size).map((_, i) => i % 251);
    const message = new Uint8Array([...new TextEncoder().encode(`${NOW_S}.`), ...body]);
    const expected = Array.from(
      new Uint8Array(await crypto.subtle.digest("SHA-256", message)),
      (byte) => byte.toString(16).padStart(2, "0"),
    ).join("");
    assert.equal(await signedDigest(NOW_S, body), expected, `${size} bytes`);
  }
});

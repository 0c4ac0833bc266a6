/**
 * The duplicate check, through `createApp()` with a Deno KV store: a
 * redelivered event runs its handler once, a failed one runs again,
 * concurrent deliveries wait for the one running, a store that fails is 503,
 * and `DEDUPE=off` checks nothing.
 *
 * @module
 */

import assert from "node:assert/strict";
import { createApp } from "../app/mod.ts";
import { loadConfig } from "../config.ts";
import {
  eventBody,
  NOW_MS,
  recordingLogger,
  SECRET,
  signedRequest,
  withKv,
  withScratchDir,
} from "./fixtures.ts";
import { KvDeliveryGuard } from "../dedupe/mod.ts";
import { openGuard } from "../main.ts";

const EVENT_ID = "evt_2LLkDJKdGvDCRh3JFsZQ9j";
const userEvent = eventBody("users.changed");

/** An app whose `users.changed` handler counts its runs and can be made to fail or wait. */
function countingApp(
  kv: Deno.Kv,
  options: {
    now?: () => number;
    dedupe?: boolean;
    handler?: (run: number) => void | Promise<void>;
  } = {},
) {
  const logger = recordingLogger();
  const state = { runs: 0, finished: 0 };
  const app = createApp({
    secrets: [SECRET],
    ...(options.dedupe !== false && {
      guard: new KvDeliveryGuard(kv, { now: options.now ?? (() => NOW_MS) }),
    }),
    now: options.now ?? (() => NOW_MS),
    logger,
    onError: () => {},
    handlers: {
      "users.changed": async () => {
        state.runs++;
        await options.handler?.(state.runs);
        state.finished++;
      },
    },
  });
  return { app, state, lines: logger.lines };
}

async function deliver(app: (request: Request) => Promise<Response>, body = userEvent) {
  const response = await app(await signedRequest({ body }));
  return { status: response.status, text: await response.text(), headers: response.headers };
}

Deno.test("createApp() with a KV runs the handler once for the same signed event twice, both 200", async () => {
  await withKv(async (kv) => {
    const { app, state, lines } = countingApp(kv);
    assert.deepEqual(await deliver(app).then(({ status, text }) => [status, text]), [200, "{}"]);
    assert.deepEqual(await deliver(app).then(({ status, text }) => [status, text]), [200, "{}"]);
    assert.equal(state.runs, 1);
    assert.deepEqual(lines, [
      "info: Event: users.changed",
      `info: Duplicate: ${EVENT_ID} (users.changed) already handled, skipped`,
    ]);
  });
});

Deno.test("createApp() with a KV runs a failed event again on redelivery, and the second succeeds", async () => {
  await withKv(async (kv) => {
    const { app, state } = countingApp(kv, {
      handler: (run) => {
        if (run === 1) throw new Error("card processor down");
      },
    });
    assert.equal((await deliver(app)).status, 500);
    assert.equal((await deliver(app)).status, 200);
    assert.equal((await deliver(app)).status, 200);
    assert.equal(state.runs, 2);
    assert.equal(state.finished, 1);
  });
});

Deno.test("createApp() with a KV runs 50 concurrent identical deliveries once, no 200 before it finished", async () => {
  await withKv(async (kv) => {
    const gate = Promise.withResolvers<void>();
    const { app, state } = countingApp(kv, { handler: () => gate.promise });
    const answers: { status: number; finished: number; retryAfter: string | null }[] = [];
    const othersAnswered = Promise.withResolvers<void>();
    const requests = await Promise.all(
      Array.from({ length: 50 }, () => signedRequest({ body: userEvent })),
    );
    const responses = requests.map((request) =>
      app(request).then(async (response) => {
        answers.push({
          status: response.status,
          finished: state.finished,
          retryAfter: response.headers.get("retry-after"),
        });
        await response.body?.cancel();
        if (answers.length === 49) othersAnswered.resolve();
      })
    );
    // The 49 others must answer while the handler still runs; give up after 10 s.
    const timer = setTimeout(othersAnswered.resolve, 10_000);
    await othersAnswered.promise;
    clearTimeout(timer);
    gate.resolve();
    await Promise.all(responses);

    assert.equal(state.runs, 1);
    assert.equal(answers.length, 50);
    for (const answer of answers) {
      if (answer.status === 200) {
        assert.equal(answer.finished, 1, "a 200 came before the handler finished");
      }
    }
    const conflicts = answers.filter((answer) => answer.status === 409);
    assert.equal(conflicts.length, 49);
    assert.ok(conflicts.every((answer) => answer.retryAfter === "60"));
  });
});

Deno.test("createApp() with a KV runs a later delivery once a crashed holder's lease expired", async () => {
  await withKv(async (kv) => {
    let now = NOW_MS;
    const { app, state } = countingApp(kv, { now: () => now });
    // Another instance claimed the event, then crashed before finishing.
    const crashed = await new KvDeliveryGuard(kv, { now: () => now }).claim(EVENT_ID, {
      digest: "the bytes of another delivery",
      action: "events.handle",
      ttl: 600_000,
    });
    assert.equal(crashed.status, "claimed");

    const busy = await deliver(app);
    assert.equal(busy.status, 409);
    assert.equal(JSON.parse(busy.text).code, "ABORTED");
    assert.equal(busy.headers.get("retry-after"), "60");
    assert.equal(state.runs, 0);

    now += 60_000;
    assert.equal((await deliver(app)).status, 200);
    assert.equal(state.runs, 1);
  });
});

Deno.test("createApp() with DEDUPE=off runs the handler on every delivery", async () => {
  await withKv(async (kv) => {
    const config = loadConfig(new Map([["SIGNING_SECRET", SECRET], ["DEDUPE", "off"]]));
    assert.equal(await openGuard(config, kv), undefined);
    const { app, state } = countingApp(kv, { dedupe: config.dedupe! });
    for (let i = 0; i < 3; i++) assert.equal((await deliver(app)).status, 200);
    assert.equal(state.runs, 3);
    // Nothing was written to the store.
    assert.deepEqual(await Array.fromAsync(kv.list({ prefix: [] })), []);
  });
});

Deno.test("createApp() with a KV that fails answers 503 UNAVAILABLE and does not run the handler", async (t) => {
  await t.step("a closed store", async () => {
    const kv = await Deno.openKv(":memory:");
    kv.close();
    const { app, state } = countingApp(kv);
    const answer = await deliver(app);
    assert.equal(answer.status, 503);
    assert.equal(JSON.parse(answer.text).code, "UNAVAILABLE");
    assert.equal(state.runs, 0);
  });

  await t.step("a store whose every call throws", async () => {
    const failing = () => {
      throw new Error("KV backend unreachable");
    };
    const kv = {
      get: failing,
      atomic: failing,
      set: failing,
      delete: failing,
    } as unknown as Deno.Kv;
    const { app, state, lines } = countingApp(kv);
    const answer = await deliver(app);
    assert.equal(answer.status, 503);
    assert.deepEqual(JSON.parse(answer.text), {
      message: `Cannot check ${EVENT_ID} (users.changed) for duplicates: the store failed`,
      code: "UNAVAILABLE",
    });
    assert.equal(state.runs, 0);
    assert.ok(lines.some((line) => line.startsWith("error: Refused events.handle (503)")));
  });
});

Deno.test("two app instances over one KV file run the handler once, as behind a load balancer", async () => {
  await withScratchDir(async (dir) => {
    const path = `${dir}/kv.sqlite3`;
    const [kvA, kvB] = [await Deno.openKv(path), await Deno.openKv(path)];
    try {
      const a = countingApp(kvA);
      const b = countingApp(kvB);
      const runs = () => a.state.runs + b.state.runs;

      assert.equal((await deliver(a.app)).status, 200);
      assert.equal((await deliver(b.app)).status, 200);
      assert.equal(runs(), 1);
      assert.match(b.lines.join("\n"), /Duplicate: evt_\w+ \(users\.changed\) already handled/);

      // Another event, delivered to both at once, many times.
      const other = eventBody("users.changed", undefined, "evt_concurrent");
      const statuses = await Promise.all(
        Array.from({ length: 20 }, async (_, i) => {
          const response = await (i % 2 ? a.app : b.app)(await signedRequest({ body: other }));
          await response.body?.cancel();
          return response.status;
        }),
      );
      assert.equal(runs(), 2);
      assert.ok(statuses.every((status) => status === 200 || status === 409), String(statuses));
    } finally {
      kvA.close();
      kvB.close();
    }
  });
});

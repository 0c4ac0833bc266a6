/**
 * The duplicate check through `createApp()` with the PostgreSQL store, on a
 * throwaway cluster: what `dedupe_test.ts` and the replay tests check with
 * Deno KV. A redelivered event runs once, a failed one runs again,
 * concurrent deliveries get 409 with `Retry-After`, a crashed holder's lease
 * expires, an unreachable database is 503, replays are refused across actions.
 *
 * @module
 */

import assert from "node:assert/strict";
import { createApp } from "../app/mod.ts";
import { eventBody, NOW_MS, recordingLogger, SECRET, signedRequest } from "../tests/fixtures.ts";
import { guardedWebhook } from "../tests/guarded_webhook.ts";
import { type Cluster, freePort, startCluster } from "../tests/postgres_cluster.ts";
import { connectPostgres, openPostgresGuard, PostgresDeliveryGuard } from "./postgres.ts";

const EVENT_ID = "evt_2LLkDJKdGvDCRh3JFsZQ9j";
const userEvent = eventBody("users.changed");

/** An app over `guard` whose `users.changed` handler counts its runs and can fail or wait. */
function countingApp(
  guard: PostgresDeliveryGuard,
  handler?: (run: number) => void | Promise<void>,
) {
  const logger = recordingLogger();
  const state = { runs: 0, finished: 0 };
  const app = createApp({
    secrets: [SECRET],
    guard,
    now: () => NOW_MS,
    logger,
    onError: () => {},
    handlers: {
      "users.changed": async () => {
        state.runs++;
        await handler?.(state.runs);
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

Deno.test("createApp() with the PostgreSQL store", async (t) => {
  const cluster: Cluster = await startCluster();
  const admin = await connectPostgres(cluster.url, { max: 1 });
  const opened: PostgresDeliveryGuard[] = [];
  /** A server instance's guard, over an emptied database. */
  const instance = async (options: { now?: () => number } = {}) => {
    const guard = await openPostgresGuard(cluster.url, { now: () => NOW_MS, ...options });
    opened.push(guard);
    return guard;
  };
  const empty = () => admin`TRUNCATE userhub_dedupe_events, userhub_dedupe_signed`;
  try {
    await (await instance()).close();

    await t.step("runs the handler once for the same event twice, both 200", async () => {
      await empty();
      const { app, state, lines } = countingApp(await instance());
      assert.deepEqual(await deliver(app).then(({ status, text }) => [status, text]), [200, "{}"]);
      assert.deepEqual(await deliver(app).then(({ status, text }) => [status, text]), [200, "{}"]);
      assert.equal(state.runs, 1);
      assert.deepEqual(lines, [
        "info: Event: users.changed",
        `info: Duplicate: ${EVENT_ID} (users.changed) already handled, skipped`,
      ]);
    });

    await t.step("runs a failed event again on redelivery", async () => {
      await empty();
      const { app, state } = countingApp(await instance(), (run) => {
        if (run === 1) throw new Error("card processor down");
      });
      assert.equal((await deliver(app)).status, 500);
      assert.equal((await deliver(app)).status, 200);
      assert.equal((await deliver(app)).status, 200);
      assert.deepEqual(state, { runs: 2, finished: 1 });
    });

    await t.step(
      "runs 50 concurrent deliveries on two instances once: 409 until done",
      async () => {
        await empty();
        const gate = Promise.withResolvers<void>();
        const a = countingApp(await instance(), () => gate.promise);
        const b = countingApp(await instance(), () => gate.promise);
        const finished = () => a.state.finished + b.state.finished;
        const answers: { status: number; finished: number; retryAfter: string | null }[] = [];
        const othersAnswered = Promise.withResolvers<void>();
        const requests = await Promise.all(
          Array.from({ length: 50 }, () => signedRequest({ body: userEvent })),
        );
        const responses = requests.map((request, i) =>
          (i % 2 ? a.app : b.app)(request).then(async (response) => {
            answers.push({
              status: response.status,
              finished: finished(),
              retryAfter: response.headers.get("retry-after"),
            });
            await response.body?.cancel();
            if (answers.length === 49) othersAnswered.resolve();
          })
        );
        const timer = setTimeout(othersAnswered.resolve, 10_000); // Gives up, and fails below.
        await othersAnswered.promise;
        clearTimeout(timer);
        gate.resolve();
        await Promise.all(responses);
        assert.equal(a.state.runs + b.state.runs, 1);
        assert.equal(answers.length, 50);
        for (const answer of answers.filter((answer) => answer.status === 200)) {
          assert.equal(answer.finished, 1, "a 200 came before the handler finished");
        }
        const conflicts = answers.filter((answer) => answer.status === 409);
        assert.equal(conflicts.length, 49);
        assert.ok(conflicts.every((answer) => answer.retryAfter === "60"));
      },
    );

    await t.step("runs a later delivery once a crashed holder's lease expired", async () => {
      await empty();
      let now = NOW_MS;
      const crashed = await (await instance({ now: () => now })).claim(EVENT_ID, {
        digest: "the bytes of another delivery",
        action: "events.handle",
        ttl: 600_000,
      });
      assert.equal(crashed.status, "claimed");
      const { app, state } = countingApp(await instance({ now: () => now }));
      const busy = await deliver(app);
      assert.equal(busy.status, 409);
      assert.equal(JSON.parse(busy.text).code, "ABORTED");
      assert.equal(busy.headers.get("retry-after"), "60");
      now += 60_000;
      // The app's own clock did not move: the lease is measured by the guard's.
      assert.equal((await deliver(app)).status, 200);
      assert.equal(state.runs, 1);
    });

    await t.step("refuses an event's bytes replayed under users.* actions, and back", async () => {
      await empty();
      const { webhook, runs } = guardedWebhook(await instance());
      const body = eventBody("users.changed", undefined, "usr_1");
      assert.equal((await webhook.handleFromWeb(await signedRequest({ body }))).status, 200);
      for (const action of ["users.update", "users.delete"]) {
        const replay = await webhook.handleFromWeb(await signedRequest({ body, action }));
        assert.equal(replay.status, 409, action);
        await replay.body?.cancel();
      }
      const other = eventBody("users.changed", undefined, "evt_other");
      const update = await webhook.handleFromWeb(
        await signedRequest({ body: other, action: "users.update" }),
      );
      assert.equal(update.status, 200);
      await update.body?.cancel();
      const asEvent = await webhook.handleFromWeb(await signedRequest({ body: other }));
      assert.equal(asEvent.status, 409);
      await asEvent.body?.cancel();
      assert.equal(runs.events.length, 1);
      assert.deepEqual(runs.actions, ["users.update evt_other"]);
    });

    await t.step("answers 503 with Retry-After when the database is unreachable", async () => {
      const sql = await connectPostgres(`postgres://webhooks:x@127.0.0.1:${freePort()}/webhooks`);
      const guard = new PostgresDeliveryGuard(sql, { onClose: () => sql.end() });
      opened.push(guard);
      const { app, state, lines } = countingApp(guard);
      const answer = await deliver(app);
      assert.equal(answer.status, 503);
      assert.equal(answer.headers.get("retry-after"), "5");
      assert.deepEqual(JSON.parse(answer.text), {
        message: `Cannot check ${EVENT_ID} (users.changed) for duplicates: the store failed`,
        code: "UNAVAILABLE",
      });
      assert.equal(state.runs, 0);
      assert.ok(lines.some((line) => line.startsWith("error: Refused events.handle (503)")));
    });
  } finally {
    await Promise.all(opened.map((guard) => guard.close()));
    await admin.end();
    await cluster.stop();
  }
});

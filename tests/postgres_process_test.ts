/**
 * `main.ts` servers as processes over one PostgreSQL database (a throwaway
 * cluster): two servers sent the same 500 events at once run 500 handlers;
 * a server killed mid-handler leaves its events to run again after the lease,
 * and none answered 200 runs twice; the database stopped under load is 503
 * with `Retry-After`, then recovery without a restart; a bad `DEDUPE_STORE`
 * stops the server with one line and exit 1, the password never printed.
 *
 * @module
 */

import assert from "node:assert/strict";
import { SAMPLE_PAYLOADS, SECRET, signedRequest } from "./fixtures.ts";
import { runStart, Server, startTaskArgs } from "./_process.ts";
import { type Cluster, freePort, startCluster } from "./postgres_cluster.ts";

/** A `users.changed` event whose handler prints ` - User: <userId> …`. */
function userEvent(eventId: string, userId: string): string {
  const { user } = SAMPLE_PAYLOADS["users.changed"].usersChanged;
  return JSON.stringify({
    id: eventId,
    time: "2026-11-26T11:59:30.000Z",
    type: "users.changed",
    usersChanged: { user: { ...user, id: userId } },
  });
}

/** Sends a signed event, timestamped now; status 0 when the connection failed. */
async function deliver(url: string, body: string) {
  const request = await signedRequest({
    body,
    timestamp: Math.floor(Date.now() / 1000),
    url: `${url}/webhook`,
  });
  try {
    const response = await fetch(request);
    await response.body?.cancel();
    return { status: response.status, retryAfter: response.headers.get("retry-after") };
  } catch {
    return { status: 0, retryAfter: null };
  }
}

/** Runs the jobs with at most `width` in flight. */
async function inFlight<T>(jobs: (() => Promise<T>)[], width: number): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]!();
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
  return results;
}

/** How many times each user's handler ran, from ` - User: <id> …` lines. */
function runs(...outputs: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const output of outputs) {
    for (const [, id] of output.matchAll(/^ - User: (usr_\S+)/gm)) {
      counts.set(id!, (counts.get(id!) ?? 0) + 1);
    }
  }
  return counts;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `done()`, checking every 20 ms; fails with `what` after `ms`. */
async function waitUntil(done: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`${what} within ${ms / 1000} s`);
    await sleep(20);
  }
}

/** A `main.ts` server over the database, as `deno task start` runs it. */
async function startServer(cluster: Cluster): Promise<Server> {
  const server = new Server(await startTaskArgs(), {
    SIGNING_SECRET: SECRET,
    DEDUPE_STORE: cluster.url,
  });
  await server.listening();
  await server.waitFor(/^Duplicate check on: .* in PostgreSQL \(postgres:\/\/webhooks:\*\*\*@/m);
  return server;
}

Deno.test("main.ts servers over one PostgreSQL database", async (t) => {
  const cluster = await startCluster();
  try {
    await t.step("two servers sent the same 500 events at once run 500 handlers", async () => {
      const [a, b] = await Promise.all([startServer(cluster), startServer(cluster)]);
      let statuses: { status: number }[];
      try {
        const jobs = Array.from({ length: 1000 }, (_, i) => () => {
          const n = Math.floor(i / 2); // Each event to both servers, one after the other.
          return deliver((i % 2 ? a : b).url, userEvent(`evt_twin_${n}`, `usr_twin_${n}`));
        });
        statuses = await inFlight(jobs, 20);
      } finally {
        assert.equal(await a.stop(), 0, a.output);
        assert.equal(await b.stop(), 0, b.output);
      }
      const counts = runs(a.output, b.output);
      assert.equal(counts.size, 500);
      assert.ok([...counts.values()].every((count) => count === 1), "an event ran twice");
      assert.ok(statuses.every(({ status }) => status === 200 || status === 409));
      for (const secret of [cluster.password, encodeURIComponent(cluster.password)]) {
        assert.ok(!(a.output + b.output).includes(secret), "the password was printed");
      }
    });

    await t.step(
      "a server killed mid-handler: its events run again, none answered 200",
      async () => {
        const slow = new Server(
          [
            "run",
            "--allow-net",
            "--allow-env=SIGNING_SECRET,PORT,DEDUPE_STORE,LEASE_MS,SLOW_MS",
            `${import.meta.dirname}/_slow_server.ts`,
          ],
          { SIGNING_SECRET: SECRET, DEDUPE_STORE: cluster.url, LEASE_MS: "3000", SLOW_MS: "60000" },
        ); // deno-fmt-ignore
        const [, other] = await Promise.all([slow.listening(), startServer(cluster)]);
        try {
          const fast = Array.from(
            { length: 10 },
            (_, i) => userEvent(`evt_fast_${i}`, `usr_fast_${i}`),
          );
          const held = Array.from(
            { length: 10 },
            (_, i) => userEvent(`evt_slow_${i}`, `usr_slow_${i}`),
          );
          for (const body of fast) {
            assert.equal((await deliver(slow.url, body)).status, 200);
          }
          const cut = held.map((body) => deliver(slow.url, body));
          const started = () => slow.output.match(/^Start: usr_slow_/gm)?.length ?? 0;
          await waitUntil(() => started() === 10, 30_000, "no 10 slow handlers started");
          slow.kill("SIGKILL");
          assert.ok((await Promise.all(cut)).every(({ status }) => status === 0));
          // The other server: the fast events are done; the others held until the lease ends.
          for (const body of fast) assert.equal((await deliver(other.url, body)).status, 200);
          const pending = new Set(held);
          const deadline = Date.now() + 20_000;
          while (pending.size > 0 && Date.now() < deadline) {
            let wait = 100;
            for (const body of pending) {
              const { status, retryAfter } = await deliver(other.url, body);
              if (status === 200) pending.delete(body);
              else {
                assert.equal(status, 409);
                assert.ok(Number(retryAfter) >= 1 && Number(retryAfter) <= 3, String(retryAfter));
                wait = Math.max(wait, 200);
              }
            }
            await sleep(wait);
          }
          assert.equal(pending.size, 0, "the killed server's claims never expired");
        } finally {
          assert.equal(await other.stop(), 0, other.output);
          await slow.exited();
        }
        const killed = runs(slow.output);
        const again = runs(other.output);
        for (let i = 0; i < 10; i++) {
          assert.equal(killed.get(`usr_fast_${i}`), 1);
          assert.equal(again.get(`usr_fast_${i}`), undefined, "an event answered 200 ran twice");
          assert.equal(killed.get(`usr_slow_${i}`), undefined);
          assert.equal(again.get(`usr_slow_${i}`), 1);
        }
      },
    );

    await t.step("the database stopped under load: 503, then recovery", async () => {
      const server = await startServer(cluster);
      const answers = new Map<string, number[]>();
      const retryAfter = new Set<string | null>();
      let sending = true;
      let settleUntil = Infinity;
      const load = Array.from({ length: 8 }, async (_, worker) => {
        for (let n = 0; sending; n++) {
          const id = `usr_load_${worker}_${n}`;
          const body = userEvent(`evt_load_${worker}_${n}`, id);
          const seen: number[] = [];
          answers.set(id, seen);
          // Delivered again after each 503 or 409, as UserHub would, until 200 or the end.
          while (Date.now() < settleUntil) {
            const answer = await deliver(server.url, body);
            seen.push(answer.status);
            if (answer.status === 503) retryAfter.add(answer.retryAfter);
            if (answer.status === 200 || answer.status === 0) break;
            await sleep(50);
          }
        }
      });
      try {
        await sleep(1000);
        await cluster.pause();
        await sleep(3000);
        await cluster.resume();
        await server.waitFor(/^The store answers again: \d+ calls refused \(503\)/m);
        await sleep(1000);
      } finally {
        sending = false;
        settleUntil = Date.now() + 10_000;
        await Promise.all(load);
        assert.equal(await server.stop(), 0, server.output);
      }
      const counts = runs(server.output);
      assert.ok([...answers.values()].some((seen) => seen.includes(503)), "no 503 seen");
      assert.deepEqual([...retryAfter], ["5"]);
      for (const [id, seen] of answers) {
        assert.ok(!seen.includes(0), `${id}: ${seen}`);
        // Ran once if answered 200; else (a claim left by a lost answer) not at all.
        assert.equal(counts.get(id) ?? 0, seen.at(-1) === 200 ? 1 : 0, `${id}: ${seen}`);
      }
      // The outage log: its first refusal with the cause, not one line per 503.
      const refusals = server.output.match(/^Refused events\.handle \(503\)/gm)?.length ?? 0;
      assert.ok(refusals >= 1 && refusals <= 2, server.output);
    });

    await t.step("a bad DEDUPE_STORE stops the server: one line, exit 1, no password", async () => {
      const wrong = new URL(cluster.url);
      wrong.password = "not-the-password";
      const port = freePort();
      const cases: [string, RegExp][] = [
        [
          `postgres://webhooks:${cluster.password}@127.0.0.1:99999/webhooks`,
          /is not a PostgreSQL URL/,
        ],
        [
          `postgres://webhooks:${
            encodeURIComponent(`pw-${cluster.password}`)
          }@127.0.0.1:${port}/webhooks`,
          new RegExp(
            `^Cannot connect to DEDUPE_STORE ".*": connect ECONNREFUSED 127.0.0.1:${port}$`,
          ),
        ],
        [
          wrong.href,
          /^Cannot connect to DEDUPE_STORE ".*": password authentication failed for user "webhooks"$/,
        ],
      ]; // deno-fmt-ignore
      for (const [url, expected] of cases) {
        const { code, stderr } = await runStart({ SIGNING_SECRET: SECRET, DEDUPE_STORE: url });
        assert.equal(code, 1, stderr);
        assert.equal(stderr.split("\n").length, 1, stderr);
        assert.match(stderr, expected);
        for (const secret of [cluster.password, encodeURIComponent(cluster.password), "not-the"]) {
          assert.ok(!stderr.includes(secret), stderr);
        }
      }
    });
  } finally {
    await cluster.stop();
  }
});

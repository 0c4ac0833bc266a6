/**
 * The semantics every {@linkcode DeliveryGuard} store must have, as test
 * steps that run against any of them: `kv_store_cases_test.ts` runs them on
 * Deno KV, `postgres_store_test.ts` on PostgreSQL. What only one store does
 * (KV's group commit, PostgreSQL's one statement) is tested beside it.
 *
 * @module
 */

import assert from "node:assert/strict";
import { NOW_MS, testClock } from "../tests/fixtures.ts";
import type { DeliveryGuard, SignedRequest } from "../userhub/mod.ts";

/** Options both stores take. */
export interface CaseGuardOptions {
  lease?: number;
  now?: () => number;
  memory?: number;
}

/** An empty store for one case, over which guards (server instances) are made. */
export interface CaseStore {
  /** A guard over this store, as another server instance would open it. */
  guard(options?: CaseGuardOptions): Promise<DeliveryGuard>;
  /** Closes what the case opened. */
  close(): Promise<void>;
}

/** A signed request as an event's, remembered for 10 minutes. */
function signedAs(digest: string, action = "events.handle"): SignedRequest {
  return { digest, action, ttl: 600_000 };
}

/** Claims an event as a delivery with its own signed bytes would. */
function claim(guard: DeliveryGuard, eventId: string, digest = `d_${eventId}`) {
  return guard.claim(eventId, signedAs(digest));
}

function tokenOf(result: Awaited<ReturnType<DeliveryGuard["claim"]>>): string {
  assert.equal(result.status, "claimed");
  return (result as { token: string }).token;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Each case: its name, and what it does with a fresh store. */
const CASES: [string, (store: CaseStore) => Promise<void>][] = [
  ["claim() gives an event to one delivery until it is released or done", async (store) => {
    const guard = await store.guard({ now: () => NOW_MS });
    const first = await claim(guard, "evt_1");
    assert.deepEqual(await claim(guard, "evt_1"), { status: "busy", retryAfter: 60 });
    assert.equal((await claim(guard, "evt_2")).status, "claimed");
    await guard.release("evt_1", tokenOf(first));
    assert.equal((await claim(guard, "evt_1")).status, "claimed");
    await guard.complete("evt_1");
    assert.deepEqual(await claim(guard, "evt_1"), { status: "done" });
  }],

  ["claim() takes over an expired lease, and the old holder cannot release it", async (store) => {
    const clock = testClock();
    const guard = await store.guard({ now: clock.now, lease: 60_000 });
    const crashed = await claim(guard, "evt_1");
    clock.advance(59_500);
    assert.deepEqual(await claim(guard, "evt_1"), { status: "busy", retryAfter: 1 });
    clock.advance(500);
    assert.equal((await claim(guard, "evt_1")).status, "claimed");
    await guard.release("evt_1", tokenOf(crashed));
    assert.equal((await claim(guard, "evt_1")).status, "busy");
  }],

  ["a handled event is done for 7 days, then forgotten", async (store) => {
    const clock = testClock();
    const guard = await store.guard({ now: clock.now });
    await claim(guard, "evt_1");
    await guard.complete("evt_1");
    clock.advance(7 * 86_400_000 - 1);
    assert.equal((await claim(guard, "evt_1")).status, "done");
    clock.advance(1);
    assert.equal((await claim(guard, "evt_1")).status, "claimed");
  }],

  ["claim() gives one of many concurrent deliveries on two instances the event", async (store) => {
    const guards = [await store.guard(), await store.guard()];
    // Each delivery signed anew (its own digest), and the same bytes delivered twice.
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => claim(guards[i % 2]!, "evt_1", `d${i % 20}`)),
    );
    assert.equal(results.filter((result) => result.status === "claimed").length, 1);
    assert.equal(results.filter((result) => result.status === "busy").length, 39);
  }],

  ["claim() of a new event records its signed request for every instance", async (store) => {
    const guard = await store.guard();
    assert.equal((await claim(guard, "evt_1", "d1")).status, "claimed");
    const other = await store.guard();
    assert.equal((await claim(other, "evt_1", "d2")).status, "busy");
    assert.equal(await other.rememberSigned(signedAs("d1", "users.delete")), "events.handle");
  }],

  ["claim() refuses bytes first accepted under another action", async (store) => {
    const guard = await store.guard();
    assert.equal(await guard.rememberSigned(signedAs("d1", "users.update")), undefined);
    assert.deepEqual(await claim(guard, "evt_1", "d1"), {
      status: "replayed",
      action: "users.update",
    });
    // The event itself was left unclaimed: its next delivery, signed anew, runs.
    assert.equal((await claim(guard, "evt_1", "d2")).status, "claimed");
    // Bytes seen before as this same event: a redelivery, not a replay.
    await guard.complete("evt_1");
    assert.deepEqual(await claim(guard, "evt_1", "d2"), { status: "done" });
  }],

  ["rememberSigned() answers the first action, until the window ends", async (store) => {
    const clock = testClock();
    const guard = await store.guard({ now: clock.now });
    assert.equal(await guard.rememberSigned(signedAs("d1")), undefined);
    assert.equal(await guard.rememberSigned(signedAs("d1", "users.delete")), "events.handle");
    assert.equal(await guard.rememberSigned(signedAs("d2", "users.delete")), undefined);
    clock.advance(600_000);
    assert.equal(await guard.rememberSigned(signedAs("d1", "users.delete")), undefined);
  }],

  ["rememberSigned() of one request on two instances at once: only one is first", async (store) => {
    const guards = [await store.guard(), await store.guard()];
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => guards[i % 2]!.rememberSigned(signedAs("d1"))),
    );
    assert.equal(answers.filter((answer) => answer === undefined).length, 1);
    assert.equal(answers.filter((answer) => answer === "events.handle").length, 19);
  }],

  ["an instance without memory sees what another recorded", async (store) => {
    const clock = testClock();
    const one = await store.guard({ now: clock.now });
    const other = await store.guard({ now: clock.now, memory: 0 });
    await claim(one, "evt_1");
    assert.equal((await claim(other, "evt_1", "d2")).status, "busy");
    await one.complete("evt_1");
    assert.equal((await claim(other, "evt_1", "d3")).status, "done");
    assert.equal((await claim(other, "evt_1", "d3")).status, "done");
  }],

  ["holdClaim() keeps a claim past its lease while the handler runs", async (store) => {
    const guard = await store.guard({ lease: 300 });
    const other = await store.guard({ lease: 300, memory: 0 });
    const held = await claim(guard, "evt_1");
    const stop = guard.holdClaim("evt_1", tokenOf(held));
    try {
      // Two and a half leases later, another instance finds the claim still held.
      await sleep(750);
      assert.equal((await claim(other, "evt_1", "d2")).status, "busy");
    } finally {
      await stop();
    }
    await guard.complete("evt_1");
    assert.equal((await claim(other, "evt_1", "d3")).status, "done");
  }],

  ["holdClaim() and release() of an old token leave a takeover alone", async (store) => {
    const old = await store.guard({ lease: 150, memory: 0 });
    const crashed = await claim(old, "evt_1");
    await sleep(200);
    const next = await store.guard({ lease: 60_000, memory: 0 });
    assert.equal((await claim(next, "evt_1", "d2")).status, "claimed");
    // The old holder wakes up: its renewals and its release find another token.
    const stop = old.holdClaim("evt_1", tokenOf(crashed));
    await sleep(200);
    await stop();
    await old.release("evt_1", tokenOf(crashed));
    const busy = await claim(next, "evt_1", "d3");
    assert.equal(busy.status, "busy");
    assert.ok((busy as { retryAfter: number }).retryAfter > 50, JSON.stringify(busy));
  }],
];

/**
 * Runs every shared case as a step of `t`, each on a fresh store.
 * @param t The test.
 * @param open Opens an empty store.
 */
export async function guardCases(
  t: Deno.TestContext,
  open: () => Promise<CaseStore>,
): Promise<void> {
  for (const [name, run] of CASES) {
    await t.step(name, async () => {
      const store = await open();
      try {
        await run(store);
      } finally {
        await store.close();
      }
    });
  }
}

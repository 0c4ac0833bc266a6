import assert from "node:assert/strict";
import { countingKv, withKv } from "../tests/fixtures.ts";
import type { SignedRequest } from "../userhub/mod.ts";
import { KvDeliveryGuard } from "./_kv_store.ts";

/** A signed request as an event's, remembered for 10 minutes. */
function signedAs(digest: string, action = "events.handle"): SignedRequest {
  return { digest, action, ttl: 600_000 };
}

/** Claims an event as a delivery with its own signed bytes would. */
function claim(guard: KvDeliveryGuard, eventId: string, digest = `d_${eventId}`) {
  return guard.claim(eventId, signedAs(digest));
}

Deno.test("KvDeliveryGuard.claim() gives one of many concurrent first deliveries the event", async () => {
  await withKv(async (kv) => {
    const guards = [new KvDeliveryGuard(kv), new KvDeliveryGuard(kv)];
    // Each delivery signed anew (its own digest), and the same bytes delivered twice.
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => claim(guards[i % 2]!, "evt_1", `d${i % 20}`)),
    );
    assert.equal(results.filter((result) => result.status === "claimed").length, 1);
    assert.equal(results.filter((result) => result.status === "busy").length, 39);
  });
});

Deno.test("KvDeliveryGuard.claim() of a new event and request takes one KV write and no read", async () => {
  await withKv(async (raw) => {
    const { kv, counts } = countingKv(raw);
    const guard = new KvDeliveryGuard(kv);
    assert.equal((await claim(guard, "evt_1", "d1")).status, "claimed");
    assert.deepEqual(counts, { reads: 0, writes: 1 });
    // Both records exist now: the event is held, and its bytes belong to events.handle.
    const other = new KvDeliveryGuard(raw);
    assert.equal((await claim(other, "evt_1", "d2")).status, "busy");
    assert.equal(await other.rememberSigned(signedAs("d1", "users.delete")), "events.handle");
  });
});

Deno.test("KvDeliveryGuard with memory 0 asks the store every time", async () => {
  await withKv(async (raw) => {
    const { kv, counts } = countingKv(raw);
    const guard = new KvDeliveryGuard(kv, { memory: 0 });
    await claim(guard, "evt_1");
    await guard.complete("evt_1");
    counts.reads = counts.writes = 0;
    assert.equal((await claim(guard, "evt_1")).status, "done");
    assert.equal((await claim(guard, "evt_1")).status, "done");
    // Each repeat: the one-write claim is tried and refused, then both records are read.
    assert.deepEqual(counts, { reads: 4, writes: 2 });
  });
});

Deno.test("KvDeliveryGuard remembers a done event another server recorded once it has read it", async () => {
  await withKv(async (raw) => {
    const other = new KvDeliveryGuard(raw);
    await claim(other, "evt_1");
    await other.complete("evt_1");
    const { kv, counts } = countingKv(raw);
    const guard = new KvDeliveryGuard(kv);
    assert.equal((await claim(guard, "evt_1")).status, "done");
    counts.reads = counts.writes = 0;
    assert.equal((await claim(guard, "evt_1")).status, "done");
    assert.deepEqual(counts, { reads: 0, writes: 0 });
  });
});

Deno.test("KvDeliveryGuard.holdClaim() stops renewing once the claim is no longer its token's", async () => {
  await withKv(async (raw) => {
    const { kv, counts } = countingKv(raw);
    const guard = new KvDeliveryGuard(kv, { lease: 90, memory: 0 });
    const held = await claim(guard, "evt_1");
    assert.equal(held.status, "claimed");
    const stop = guard.holdClaim("evt_1", (held as { token: string }).token);
    await guard.complete("evt_1");
    counts.reads = counts.writes = 0;
    // Eight renewal periods: the first renewal finds "done" and stops the rest.
    await new Promise((resolve) => setTimeout(resolve, 240));
    assert.deepEqual(counts, { reads: 1, writes: 0 });
    await stop();
    assert.equal((await claim(guard, "evt_1")).status, "done");
  });
});

Deno.test("KvDeliveryGuard.holdClaim() survives one failed renewal", async () => {
  await withKv(async (raw) => {
    let failing = false;
    const get = raw.get.bind(raw);
    raw.get = ((...args: Parameters<Deno.Kv["get"]>) =>
      failing ? Promise.reject(new Error("kv down")) : get(...args)) as Deno.Kv["get"];
    const guard = new KvDeliveryGuard(raw, { lease: 300, memory: 0 });
    const held = await claim(guard, "evt_1");
    const stop = guard.holdClaim("evt_1", (held as { token: string }).token);
    failing = true;
    await new Promise((resolve) =>
      setTimeout(resolve, 150)
    );
    failing = false;
    // Past the first lease: the claim is still held.
    await new Promise((resolve) => setTimeout(resolve, 350));
    assert.equal((await claim(guard, "evt_1")).status, "busy");
    await stop();
  });
});

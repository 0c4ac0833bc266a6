import assert from "node:assert/strict";
import { withKv } from "../tests/fixtures.ts";
import { CALL_TTL_MS, CallRecorder, MAX_CALLS, type NewCall } from "./_recorder.ts";

function call(body: Uint8Array, eventId = "evt_1"): NewCall {
  return {
    time: new Date().toISOString(),
    action: "events.handle",
    verified: true,
    eventId,
    outcome: "handled",
    status: 200,
    durationMs: 1,
    bodyBytes: body.length,
    headers: [],
    answer: "{}",
    logs: [],
    body,
  };
}

Deno.test("CallRecorder keeps the newest 200 calls, dropping the oldest with their bodies", async () => {
  await withKv(async (kv) => {
    const recorder = new CallRecorder(kv);
    for (let i = 0; i < MAX_CALLS + 5; i++) {
      await recorder.add(call(new TextEncoder().encode(`{"n":${i}}`), `evt_${i}`));
    }
    const rows = await recorder.list();
    assert.equal(rows.length, MAX_CALLS);
    assert.equal(rows[0]!.eventId, `evt_${MAX_CALLS + 4}`);
    assert.equal(rows.at(-1)!.eventId, "evt_5");
    let bodies = 0;
    for await (const _ of kv.list({ prefix: ["console", "body"] })) bodies++;
    assert.equal(bodies, MAX_CALLS);
  });
});

Deno.test("CallRecorder keeps a body of any size whole, under KV's value limit, for 24 hours", async () => {
  await withKv(async (kv) => {
    const sets: { key: Deno.KvKey; bytes: number; expireIn?: number }[] = [];
    const set = kv.set.bind(kv);
    kv.set = ((key: Deno.KvKey, value: unknown, options?: { expireIn?: number }) => {
      const bytes = value instanceof Uint8Array ? value.length : JSON.stringify(value).length;
      sets.push({
        key,
        bytes,
        ...(options?.expireIn !== undefined && { expireIn: options.expireIn }),
      });
      return set(key, value, options);
    }) as Deno.Kv["set"];
    const recorder = new CallRecorder(kv);
    const body = crypto.getRandomValues(new Uint8Array(65_536));
    const large = new Uint8Array(300 * 1024).map((_, i) => body[i % body.length]!);
    const { id } = await recorder.add(call(large));
    assert.deepEqual((await recorder.get(id))!.body, large);
    assert.ok(sets.every((write) => write.bytes < 64 * 1024), "a value over 64 KiB");
    assert.ok(sets.every((write) => write.expireIn === CALL_TTL_MS));
    assert.equal(CALL_TTL_MS, 24 * 60 * 60 * 1000);
    await recorder.clear();
    assert.equal(await recorder.get(id), undefined);
    assert.deepEqual(await recorder.list(), []);
  });
});

Deno.test("CallRecorder keeps a row's details under the KV value limit, and 64 KiB of an unverified body", async () => {
  await withKv(async (kv) => {
    const recorder = new CallRecorder(kv);
    const body = new Uint8Array(200 * 1024).fill(0x61);
    const noisy: NewCall = {
      ...call(body),
      verified: false,
      headers: Array.from({ length: 60 }, (_, i) => [`x-header-${i}`, "v".repeat(5000)]),
      answer: "a".repeat(100_000),
      logs: Array.from({ length: 100 }, () => "l".repeat(2000)),
    };
    const { id } = await recorder.add(noisy);
    const kept = await recorder.get(id);
    assert.equal(kept!.body.length, 64 * 1024);
    assert.equal(kept!.call.bodyBytes, 200 * 1024);
    const size = JSON.stringify({ ...kept!.call }).length;
    assert.ok(size < 60 * 1024, `details of ${size} characters`);
    assert.match(kept!.call.logs.at(-1)!, /^… \d+ more lines$/);
  });
});

import assert from "node:assert/strict";
import { buildCalls, type Call, type CallPlan } from "./calls.ts";
import {
  createApp,
  KvDeliveryGuard,
  KvUserDirectory,
  parse,
  quietLogger,
  SECRET,
} from "./_testing.ts";
import type { Target } from "./targets.ts";

async function firstCall(target: Target, now: number): Promise<Call> {
  const plan: CallPlan = {
    target,
    secret: SECRET,
    sets: [],
    count: 1,
    repeat: 1,
    timestampOffset: 0,
    badSignature: false,
    now: () => now,
  };
  const [call] = await Array.fromAsync(buildCalls(plan));
  return call!;
}

Deno.test("buildCalls() never signs users.get and users.delete as the same bytes", async () => {
  const now = Date.now();
  const get = await firstCall("users.get", now);
  const remove = await firstCall("users.delete", now);
  assert.equal(get.headers["UserHub-Timestamp"], remove.headers["UserHub-Timestamp"]);
  assert.deepEqual(parse(remove.body), parse(get.body), "the same JSON");
  assert.notDeepEqual(remove.body, get.body, "in other bytes");
  assert.notEqual(remove.headers["UserHub-Signature"], get.headers["UserHub-Signature"]);

  // Signed in the same second, the directory runs both: neither is a replay of the other.
  const kv = await Deno.openKv(":memory:");
  try {
    const app = createApp({
      secrets: [SECRET],
      guard: new KvDeliveryGuard(kv),
      customUsers: new KvUserDirectory(kv),
      logger: quietLogger,
    });
    const post = (call: Call) =>
      app(
        new Request("http://localhost/webhook", {
          method: "POST",
          headers: call.headers,
          body: call.body,
        }),
      );
    for (const call of [await firstCall("users.create", now), get, remove]) {
      const response = await post(call);
      assert.equal(response.status, 200, `${call.action}: ${await response.text()}`);
    }
  } finally {
    kv.close();
  }
});

Deno.test("buildCalls() signs each of --count users.* calls a second apart, so none is a replay", async () => {
  const plan = {
    target: "users.list" as const,
    secret: "whsec_test",
    sets: [],
    count: 3,
    repeat: 1,
    timestampOffset: 0,
    badSignature: false,
    now: () => 1_700_000_000_500,
  };
  const calls = await Array.fromAsync(buildCalls(plan));
  assert.deepEqual(calls.map((call) => call.headers["UserHub-Timestamp"]), [
    "1699999998",
    "1699999999",
    "1700000000",
  ]);
});

/**
 * The delivery console through the app: what it records of each call, the
 * redelivery through the real receiver, clearing, and who may see it.
 *
 * @module
 */

import assert from "node:assert/strict";
import { createApp } from "../app/mod.ts";
import { KvDeliveryGuard } from "../dedupe/mod.ts";
import {
  eventBody,
  recordingLogger,
  SAMPLE_PAYLOADS,
  SECRET,
  signedRequest,
  withKv,
} from "../tests/fixtures.ts";
import { CallRecorder, DeliveryConsole } from "./mod.ts";
import { consoleApp, LOCAL } from "./_test_app.ts";

Deno.test("the console records each call: outcome, reason, status, body, headers, answer and logs", async () => {
  await withKv(async (kv) => {
    const { local, calls, send } = consoleApp(kv);
    const event = eventBody("organizations.changed", undefined, "evt_console_1");
    assert.equal(await send(event), 200);
    assert.equal(await send(event), 200);
    assert.equal(await send(event, { secret: "whsec_wrong" }), 401);
    assert.equal(await send(eventBody("flows.changed", undefined, "evt_console_2")), 500);
    assert.equal(await send('{"id":"u1"}', { action: "users.get" }), 501);
    assert.equal(await send('{"challenge":"c"}', { action: "challenge" }), 200);
    const rows = await calls();
    assert.deepEqual(rows.map((row) => [row.action, row.outcome, row.status]), [
      ["challenge", "answered", 200],
      ["users.get", "unimplemented", 501],
      ["events.handle", "failed", 500],
      ["events.handle", "rejected", 401],
      ["events.handle", "duplicate", 200],
      ["events.handle", "handled", 200],
    ]);
    assert.equal(rows[2]!.reason, "flows are not wired up yet");
    assert.match(rows[3]!.reason!, /no signature matches/);
    assert.equal(rows[5]!.eventId, "evt_console_1");
    const detail = await (await local(`/_console/calls/${rows[5]!.id}`)).json();
    assert.equal(detail.body, event);
    assert.equal(detail.bodyCut, false);
    assert.equal(detail.answer, "{}");
    const { organization } = SAMPLE_PAYLOADS["organizations.changed"].organizationsChanged;
    assert.ok(detail.logs.includes(`Saved ${organization.id}`), detail.logs);
    const signature = detail.headers.find(([name]: string[]) => name === "userhub-signature")[1];
    assert.match(signature, /^[0-9a-f]{8}…$/);
  });
});

Deno.test("the console delivers a call again through the receiver, signed anew, or as a new event", async () => {
  await withKv(async (kv) => {
    const { local, calls, send } = consoleApp(kv);
    assert.equal(await send(eventBody("flows.changed", undefined, "evt_retry")), 500);
    const [failed] = await calls();
    const deliver = (query = "") =>
      local(`/_console/calls/${failed!.id}/deliver${query}`, {
        method: "POST",
        headers: { "x-console": "1" },
      });
    assert.deepEqual(await (await deliver()).json(), { status: 200 });
    assert.deepEqual(await (await deliver()).json(), { status: 200 });
    assert.deepEqual(await (await deliver("?as=new")).json(), { status: 200 });
    const [asNew, duplicate, handled] = await calls();
    assert.deepEqual([handled!.outcome, handled!.eventId], ["handled", "evt_retry"]);
    assert.deepEqual([duplicate!.outcome, duplicate!.eventId], ["duplicate", "evt_retry"]);
    assert.equal(asNew!.outcome, "handled");
    assert.match(asNew!.eventId!, /^evt_[0-9A-Za-z]{22}$/);
    // Signed anew: with the first secret, and a timestamp of its own.
    const again = await (await local(`/_console/calls/${handled!.id}`)).json();
    const timestamp = again.headers.find(([name]: string[]) => name === "userhub-timestamp")[1];
    assert.ok(Math.abs(Number(timestamp) - Date.now() / 1000) < 60);
  });
});

Deno.test("the console refuses a change without its header, and clears", async () => {
  await withKv(async (kv) => {
    const { local, calls, send } = consoleApp(kv);
    await send(eventBody("organizations.changed"));
    const [row] = await calls();
    const forged = await local(`/_console/calls/${row!.id}/deliver`, { method: "POST" });
    assert.equal(forged.status, 403);
    await forged.body?.cancel();
    assert.equal((await local("/_console/calls", { method: "DELETE" })).status, 403);
    assert.equal((await calls()).length, 1);
    const cleared = await local("/_console/calls", {
      method: "DELETE",
      headers: { "x-console": "1" },
    });
    assert.equal(cleared.status, 204);
    assert.deepEqual(await calls(), []);
  });
});

Deno.test("the console answers only this machine: another peer, host or none gets 404", async () => {
  await withKv(async (kv) => {
    const { local } = consoleApp(kv);
    const app = createApp({
      secrets: [SECRET],
      guard: new KvDeliveryGuard(kv),
      logger: recordingLogger(),
      console: new DeliveryConsole(new CallRecorder(kv), SECRET),
    });
    const page = await local("/_console");
    assert.equal(page.status, 200);
    assert.match(await page.text(), /^<!doctype html>/);
    const remote: Deno.ServeHandlerInfo = {
      remoteAddr: { transport: "tcp", hostname: "192.168.1.20", port: 50000 },
      completed: Promise.resolve(),
    };
    for (
      const [url, info] of [
        ["http://127.0.0.1:8000/_console", remote],
        ["http://rebound.example:8000/_console/calls", LOCAL],
        ["http://127.0.0.1:8000/_console/calls", undefined],
      ] as const
    ) {
      const response = await app(new Request(url), info);
      assert.equal(response.status, 404, url);
      await response.body?.cancel();
    }
  });
});

Deno.test("with the console off, /_console is a 404 and nothing is recorded", async () => {
  await withKv(async (kv) => {
    const app = createApp({
      secrets: [SECRET],
      guard: new KvDeliveryGuard(kv),
      logger: recordingLogger(),
    });
    const response = await app(await signedRequest({ body: eventBody("users.changed") }));
    await response.body?.cancel();
    const page = await app(new Request("http://127.0.0.1:8000/_console"), LOCAL);
    assert.equal(page.status, 404);
    await page.body?.cancel();
    const kept = [];
    for await (const entry of kv.list({ prefix: ["console"] })) kept.push(entry.key);
    assert.deepEqual(kept, []);
  });
});

Deno.test("the console delivers again only a call that was verified", async () => {
  await withKv(async (kv) => {
    const { local, calls, send } = consoleApp(kv);
    assert.equal(await send(eventBody("organizations.changed"), { secret: "whsec_forged" }), 401);
    const [forged] = await calls();
    assert.equal(forged!.verified, false);
    const response = await local(`/_console/calls/${forged!.id}/deliver`, {
      method: "POST",
      headers: { "x-console": "1" },
    });
    assert.equal(response.status, 400);
    assert.equal((await response.json()).message, "Only a verified call can be delivered again");
    assert.equal((await calls()).length, 1, "something was delivered");
  });
});

Deno.test("the console answers nothing a proxy or tunnel forwarded, even from loopback", async () => {
  await withKv(async (kv) => {
    const { local } = consoleApp(kv);
    for (const header of ["x-forwarded-for", "forwarded", "cf-connecting-ip", "x-real-ip"]) {
      const response = await local("/_console/calls", { headers: { [header]: "203.0.113.9" } });
      assert.equal(response.status, 404, header);
      await response.body?.cancel();
    }
  });
});

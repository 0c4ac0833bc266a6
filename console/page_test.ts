/**
 * What the console's page is given: the stored calls in its first paint, a
 * call delivered again marked and named, and a failure's stack.
 *
 * @module
 */

import assert from "node:assert/strict";
import { eventBody, SECRET, withKv } from "../tests/fixtures.ts";
import type { CallReport, Receipt } from "../userhub/mod.ts";
import { CallRecorder, type CallSummary, DeliveryConsole } from "./mod.ts";
import { consoleApp } from "./_test_app.ts";

/** The calls the page carries in its HTML, for its first paint. */
function storedCalls(html: string): CallSummary[] {
  const json = html.match(/<script id="stored-calls" type="application\/json">([^<]*)<\/script>/);
  assert.ok(json, "the page carries no stored calls");
  return JSON.parse(json[1]!);
}

Deno.test("the console's page carries the stored calls, so its first paint is never a false empty list", async () => {
  await withKv(async (kv) => {
    const { local, calls, send } = consoleApp(kv);
    assert.deepEqual(storedCalls(await (await local("/_console")).text()), []);
    assert.equal(await send(eventBody("organizations.changed", undefined, "evt_paint_1")), 200);
    // An unverified call keeps the action as sent: "<" must not end the script.
    const action = "</script><img src=x onerror=alert(1)>";
    assert.equal(await send(eventBody("users.changed"), { action, secret: "whsec_forged" }), 400);
    const html = await (await local("/_console")).text();
    assert.doesNotMatch(html, /<img src=x/);
    const stored = storedCalls(html);
    assert.deepEqual(stored, await calls());
    assert.deepEqual(stored.map((call) => call.action), [action, "events.handle"]);
  });
});

Deno.test("a call the console delivered again is marked as such, and its id is in the answer", async () => {
  await withKv(async (kv) => {
    const { local, calls, send } = consoleApp(kv);
    assert.equal(await send(eventBody("organizations.changed", undefined, "evt_marked")), 200);
    const [original] = await calls();
    assert.equal(original!.redeliveryOf, undefined);
    const deliver = (query = "") =>
      local(`/_console/calls/${original!.id}/deliver${query}`, {
        method: "POST",
        headers: { "x-console": "1" },
      });
    const again = await deliver();
    assert.deepEqual(await again.json(), { status: 200 });
    const asNew = await deliver("?as=new");
    await asNew.body?.cancel();
    const [newEvent, duplicate] = await calls();
    assert.equal(again.headers.get("x-console-call"), duplicate!.id);
    assert.equal(asNew.headers.get("x-console-call"), newEvent!.id);
    assert.deepEqual([duplicate!.outcome, duplicate!.redeliveryOf, duplicate!.asNew], [
      "duplicate",
      original!.id,
      undefined,
    ]);
    assert.deepEqual([newEvent!.outcome, newEvent!.redeliveryOf, newEvent!.asNew], [
      "handled",
      original!.id,
      true,
    ]);
  });
});

/** Records one call whose receiver reports `report`, and returns the call's details. */
async function recorded(kv: Deno.Kv, report: CallReport) {
  const deliveryConsole = new DeliveryConsole(new CallRecorder(kv), SECRET);
  const receipt: Receipt = {
    response: Response.json({ message: "Webhook server error", code: "INTERNAL" }, { status: 500 }),
    report,
    body: new TextEncoder().encode(eventBody("flows.changed")),
  };
  await deliveryConsole.record(new Request("http://127.0.0.1/webhook"), () => {
    console.error("flows.changed failed: boom");
    return Promise.resolve(receipt);
  });
  const app = (request: Request) => deliveryConsole.handle(request, () => Promise.reject());
  const [row] = await (await app(new Request("http://127.0.0.1/_console/calls"))).json();
  return await (await app(new Request(`http://127.0.0.1/_console/calls/${row.id}`))).json();
}

Deno.test("a failed call's details carry the error's stack when the report has one", async () => {
  const stack = "Error: boom\n    at flowsChanged (file:///handlers/flows_changed.ts:9:11)";
  await withKv(async (kv) => {
    const report = { outcome: "failed", status: 500, reason: "boom", error: stack } as const;
    const detail = await recorded(kv, report);
    assert.deepEqual([detail.reason, detail.error, detail.logs], [
      "boom",
      stack,
      ["flows.changed failed: boom"],
    ]);
  });
  await withKv(async (kv) => {
    const detail = await recorded(kv, { outcome: "failed", status: 500, reason: "boom" });
    assert.equal(detail.error, undefined);
  });
});

Deno.test('an event with no handler keeps its own outcome, which the page names "no handler"', async () => {
  await withKv(async (kv) => {
    const detail = await recorded(kv, { outcome: "unhandled", status: 200 });
    assert.equal(detail.outcome, "unhandled");
    const page = await (await consoleApp(kv).local("/_console")).text();
    assert.match(page, /const LABELS = \{ unhandled: "no handler" \};/);
    assert.match(page, /\.unhandled \{\s+color: var\(--warn\);/);
  });
});

/**
 * The console's "Start over", through the app's HTTP handler: the calls,
 * the duplicate check's records and the example users are forgotten, and
 * nothing else.
 *
 * @module
 */

import assert from "node:assert/strict";
import { KvUserDirectory } from "../examples/kv_user_directory.ts";
import { eventBody, withKv } from "../tests/fixtures.ts";
import { consoleApp } from "./_test_app.ts";

async function keysUnder(kv: Deno.Kv, prefix: Deno.KvKey): Promise<Deno.KvKey[]> {
  const keys = [];
  for await (const entry of kv.list({ prefix })) keys.push(entry.key);
  return keys;
}

Deno.test("POST /_console/reset forgets the calls, the duplicate records and the example users", async () => {
  await withKv(async (kv) => {
    const { local, calls, send } = consoleApp(kv);
    const event = eventBody("organizations.changed", undefined, "evt_start_over");
    assert.equal(await send(event), 200);
    assert.equal(await send(eventBody("users.changed", undefined, "evt_start_over_2")), 200);
    const directory = new KvUserDirectory(kv);
    await directory.createUser({ id: "user-1", displayName: "Jane Doe" });
    await kv.set(["app", "kept"], "not the console's");
    assert.equal((await keysUnder(kv, ["userhub"])).length > 0, true);

    const forged = await local("/_console/reset", { method: "POST" });
    assert.equal(forged.status, 403);
    await forged.body?.cancel();
    assert.equal((await calls()).length, 2);

    const reset = await local("/_console/reset", { method: "POST", headers: { "x-console": "1" } });
    assert.equal(reset.status, 200);
    const forgotten = await reset.json();
    assert.equal(forgotten.calls, 2);
    assert.equal(forgotten.exampleUsers, 1);
    assert.ok(forgotten.duplicateRecords >= 2, JSON.stringify(forgotten));
    assert.deepEqual(await calls(), []);
    assert.deepEqual(await keysUnder(kv, ["console"]), []);
    assert.deepEqual(await keysUnder(kv, ["userhub"]), []);
    assert.deepEqual(await keysUnder(kv, ["example_users"]), []);
    assert.deepEqual(await keysUnder(kv, ["app"]), [["app", "kept"]]);
  });
});

Deno.test("the console's page says what Start over forgets", async () => {
  await withKv(async (kv) => {
    const page = await (await consoleApp(kv).local("/_console")).text();
    const button = page.match(/<button\s+id="start-over"[^>]*title="([^"]+)"/)?.[1];
    assert.match(button ?? "", /calls.*duplicate check's records.*example directory's users/);
  });
});

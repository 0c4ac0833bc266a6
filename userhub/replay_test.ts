import assert from "node:assert/strict";
import {
  eventBody,
  NOW_MS,
  NOW_S,
  recordingLogger,
  SECRET,
  signedRequest,
  withKv,
} from "../tests/fixtures.ts";
import { guardedWebhook } from "../tests/guarded_webhook.ts";
import { signedDigest } from "./guard.ts";
import { KvDeliveryGuard } from "../dedupe/mod.ts";
import { Webhook } from "./webhook.ts";

Deno.test("Webhook with a guard refuses a second copy of a users.* call with 409", async () => {
  await withKv(async (kv) => {
    const { webhook, runs, lines } = guardedWebhook(new KvDeliveryGuard(kv));
    const body = '{"id":"usr_1"}';
    const first = await webhook.handleFromWeb(
      await signedRequest({ body, action: "users.delete" }),
    );
    assert.equal(first.status, 200);
    await first.body?.cancel();
    const signature = (await signedRequest({ body, action: "users.delete" })).headers.get(
      "userhub-signature",
    )!;
    // The same signed bytes, with the hex upper-cased and a junk signature added.
    const replay = await webhook.handleFromWeb(
      await signedRequest({
        body,
        action: "users.delete",
        headers: { "userhub-signature": `${"0".repeat(64)},${signature.toUpperCase()}` },
      }),
    );
    assert.equal(replay.status, 409);
    assert.equal(replay.headers.get("retry-after"), null);
    assert.equal((await replay.json()).code, "ABORTED");
    assert.deepEqual(runs.actions, ["users.delete usr_1"]);
    assert.ok(lines.every((line) => !line.includes(signature) && !line.includes(SECRET)));
  });
});

Deno.test("Webhook with a guard refuses an event's signed bytes replayed under a users.* action", async () => {
  await withKv(async (kv) => {
    const { webhook, runs } = guardedWebhook(new KvDeliveryGuard(kv));
    const body = eventBody("users.changed", undefined, "usr_1");
    const event = await webhook.handleFromWeb(await signedRequest({ body }));
    assert.equal(event.status, 200);
    await event.body?.cancel();
    for (const action of ["users.update", "users.delete"]) {
      const replay = await webhook.handleFromWeb(await signedRequest({ body, action }));
      assert.equal(replay.status, 409, action);
      await replay.body?.cancel();
    }
    assert.deepEqual(runs.actions, []);
    assert.equal(runs.events.length, 1);
  });
});

Deno.test("Webhook with a guard refuses a users.* call's bytes replayed as an event", async () => {
  await withKv(async (kv) => {
    const { webhook, runs } = guardedWebhook(new KvDeliveryGuard(kv));
    // A body that would decode as an event, first accepted as users.update.
    const body = eventBody("users.changed");
    const update = await webhook.handleFromWeb(
      await signedRequest({ body, action: "users.update" }),
    );
    assert.equal(update.status, 200);
    await update.body?.cancel();
    const replay = await webhook.handleFromWeb(await signedRequest({ body }));
    assert.equal(replay.status, 409);
    await replay.body?.cancel();
    assert.equal(runs.events.length, 0);
  });
});

Deno.test("Webhook with a guard answers every copy of a challenge", async () => {
  await withKv(async (kv) => {
    const { webhook, runs } = guardedWebhook(new KvDeliveryGuard(kv));
    const body = '{"challenge":"abc"}';
    for (let i = 0; i < 2; i++) {
      const response = await webhook.handleFromWeb(
        await signedRequest({ body, action: "challenge" }),
      );
      assert.equal(response.status, 200);
      assert.equal(await response.text(), body);
    }
    // Its bytes are remembered all the same: they cannot be replayed as a users.* call.
    const replay = await webhook.handleFromWeb(
      await signedRequest({ body, action: "users.update" }),
    );
    assert.equal(replay.status, 409);
    await replay.body?.cancel();
    assert.deepEqual(runs.actions, []);
  });
});

Deno.test("signedDigest() depends on the timestamp and the body only", async () => {
  const body = new TextEncoder().encode("{}");
  const digest = await signedDigest(NOW_S, body);
  assert.match(digest, /^[0-9a-f]{64}$/);
  assert.equal(await signedDigest(NOW_S, new TextEncoder().encode("{}")), digest);
  assert.notEqual(await signedDigest(NOW_S + 1, body), digest);
  assert.notEqual(await signedDigest(NOW_S, new TextEncoder().encode("{ }")), digest);
});

Deno.test("signedDigest() is the SHA-256 of <timestamp>.<body>, for small and large bodies", async () => {
  for (const size of [0, 1, 1600, 4096, 4097, 16 * 1024, 70_000]) {
    const body = new Uint8Array(size).map((_, i) => i % 251);
    const message = new Uint8Array([...new TextEncoder().encode(`${NOW_S}.`), ...body]);
    const expected = Array.from(
      new Uint8Array(await crypto.subtle.digest("SHA-256", message)),
      (byte) => byte.toString(16).padStart(2, "0"),
    ).join("");
    assert.equal(await signedDigest(NOW_S, body), expected, `${size} bytes`);
  }
});

Deno.test("Webhook with a guard refuses an event replayed as a users.* call to a server with other handlers sharing its store", async () => {
  await withKv(async (kv) => {
    // A server with event handlers only, and one (say, after a rolling deploy) with users.* ones.
    const eventsOnly = new Webhook({
      secret: SECRET,
      now: () => NOW_MS,
      logger: recordingLogger(),
      guard: new KvDeliveryGuard(kv),
    }).onEvent(() => {});
    const { webhook: withActions, runs } = guardedWebhook(new KvDeliveryGuard(kv));
    const body = eventBody("users.changed", undefined, "usr_1");
    const event = await eventsOnly.handleFromWeb(await signedRequest({ body }));
    assert.equal(event.status, 200);
    await event.body?.cancel();
    const replay = await withActions.handleFromWeb(
      await signedRequest({ body, action: "users.delete" }),
    );
    assert.equal(replay.status, 409);
    await replay.body?.cancel();
    assert.deepEqual(runs.actions, []);
  });
});

import assert from "node:assert/strict";
import {
  eventBody,
  NOW_MS,
  NOW_S,
  recordingLogger,
  SECRET,
  signedRequest,
} from "../tests/fixtures.ts";
import { WebhookError } from "./errors.ts";
import { Webhook } from "./webhook.ts";

function testWebhook(): Webhook {
  return new Webhook({ secret: SECRET, now: () => NOW_MS, logger: recordingLogger() });
}

Deno.test("new Webhook() refuses an empty or blank secret", () => {
  for (const secret of ["", " ,\n", [] as string[], [""]]) {
    assert.throws(() => new Webhook(secret), TypeError);
    assert.throws(() => new Webhook({ secret }), TypeError);
  }
});

Deno.test("Webhook.onAction() answers a custom user action with its JSON result", async () => {
  const webhook = testWebhook().onAction("users.get", ({ id }) => {
    if (id !== "usr_1") throw new WebhookError("NOT_FOUND", "User not found");
    return { id, displayName: "Ada" };
  });
  const found = await webhook.handleFromWeb(
    await signedRequest({ body: '{"id":"usr_1"}', action: "users.get" }),
  );
  assert.equal(found.status, 200);
  assert.equal(found.headers.get("content-type"), "application/json");
  assert.deepEqual(await found.json(), { id: "usr_1", displayName: "Ada" });

  const missing = await webhook.handleFromWeb(
    await signedRequest({ body: '{"id":"usr_2"}', action: "users.get" }),
  );
  assert.equal(missing.status, 404);
  assert.equal(await missing.text(), '{"message":"User not found","code":"NOT_FOUND"}');
});

Deno.test("Webhook.onAction() gets a 400 for a body that is not JSON, without running", async () => {
  let ran = false;
  const webhook = testWebhook().onAction("users.delete", () => {
    ran = true;
    return {};
  });
  const response = await webhook.handleFromWeb(
    await signedRequest({ body: "{id:", action: "users.delete" }),
  );
  assert.equal(response.status, 400);
  assert.equal((await response.json()).code, "INVALID_ARGUMENT");
  assert.equal(ran, false);
});

Deno.test("Webhook without onEvent answers events.handle with 501", async () => {
  const response = await testWebhook().handleFromWeb(
    await signedRequest({ body: '{"id":"evt_1","type":"users.changed"}' }),
  );
  assert.equal(response.status, 501);
  assert.equal(
    await response.text(),
    '{"message":"Handler not implemented: events.handle","code":"UNIMPLEMENTED"}',
  );
});

Deno.test("Webhook turns a WebhookError from an event handler into its status", async () => {
  const webhook = testWebhook().onEvent(() => {
    throw new WebhookError("RESOURCE_EXHAUSTED", "Slow down");
  });
  const response = await webhook.handleFromWeb(
    await signedRequest({ body: eventBody("users.changed") }),
  );
  assert.equal(response.status, 429);
  assert.equal(await response.text(), '{"message":"Slow down","code":"RESOURCE_EXHAUSTED"}');
});

Deno.test("Webhook never answers a thrown non-Error with anything but the generic 500", async () => {
  const webhook = testWebhook().onEvent(() => Promise.reject("secret internal string"));
  const response = await webhook.handleFromWeb(
    await signedRequest({ body: eventBody("users.changed") }),
  );
  assert.equal(response.status, 500);
  assert.equal(await response.text(), '{"message":"Webhook server error","code":"INTERNAL"}');
});

Deno.test("Webhook checks a body over 8 KiB (hashed by WebCrypto) as strictly as a small one", async () => {
  const events: string[] = [];
  const webhook = testWebhook().onEvent((event) => void events.push(event.id));
  const body = JSON.stringify({
    id: "evt_large",
    type: "something.new",
    padding: "x".repeat(10_000),
  });
  const good = await webhook.handleFromWeb(await signedRequest({ body }));
  assert.equal(good.status, 200);
  const wrong = await webhook.handleFromWeb(
    await signedRequest({ body, secret: "whsec_other" }),
  );
  assert.equal(wrong.status, 401);
  const stale = await webhook.handleFromWeb(await signedRequest({ body, timestamp: NOW_S - 301 }));
  assert.equal(stale.status, 401);
  assert.deepEqual(events, ["evt_large"]);
});

/**
 * A query builder's result: not a `Promise`, and lazy, as Drizzle's and
 * Knex's are: its work starts only when `then` is called, and ends later.
 */
function lazyQuery<T>(work: () => T): PromiseLike<T> {
  return {
    then(onFulfilled, onRejected) {
      return new Promise<T>((resolve, reject) =>
        setTimeout(() => {
          try {
            resolve(work());
          } catch (error) {
            reject(error);
          }
        }, 20)
      ).then(onFulfilled, onRejected);
    },
  };
}

Deno.test("Webhook awaits a thenable an event handler returns, as it awaits a promise", async () => {
  let saved = 0;
  const webhook = testWebhook().onEvent(() => lazyQuery(() => void saved++));
  const response = await webhook.handleFromWeb(
    await signedRequest({ body: '{"id":"evt_1","type":"something.new"}' }),
  );
  assert.equal(saved, 1, "answered before the handler's work ran");
  assert.equal(response.status, 200);
  await response.body?.cancel();
});

Deno.test("Webhook reports a thenable that rejects as a handler failure", async () => {
  const errors: unknown[] = [];
  const webhook = new Webhook({
    secret: SECRET,
    now: () => NOW_MS,
    logger: recordingLogger(),
    onError: (error) => errors.push(error),
  }).onEvent(() =>
    lazyQuery(() => {
      throw new Error("duplicate key");
    })
  );
  const response = await webhook.handleFromWeb(
    await signedRequest({ body: '{"id":"evt_1","type":"something.new"}' }),
  );
  assert.equal(response.status, 500);
  await response.body?.cancel();
  assert.equal((errors[0] as Error).message, "duplicate key");
});

Deno.test("Webhook awaits a thenable an action handler returns, and answers its value", async () => {
  const webhook = testWebhook().onAction("users.get", ({ id }) => lazyQuery(() => ({ id })));
  const response = await webhook.handleFromWeb(
    await signedRequest({ body: '{"id":"usr_1"}', action: "users.get" }),
  );
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { id: "usr_1" });
});

Deno.test("Webhook reports an event with no handler as unhandled, and warns", async () => {
  const logger = recordingLogger();
  const webhook = new Webhook({ secret: SECRET, now: () => NOW_MS, logger }).onEvents({});
  const { response, report } = await webhook.receive(
    await signedRequest({ body: eventBody("users.changed") }),
  );
  assert.equal(response.status, 200);
  await response.body?.cancel();
  assert.equal(report.outcome, "unhandled");
  assert.deepEqual(logger.lines, [
    "warn: Event: users.changed has no handler, acknowledged (add one to handlers/mod.ts)",
  ]);
});

Deno.test("Webhook logs one line for an answered challenge and an answered action", async () => {
  const logger = recordingLogger();
  const webhook = new Webhook({ secret: SECRET, now: () => NOW_MS, logger })
    .onAction("users.get", ({ id }) => ({ id }));
  const calls = [["challenge", '{"challenge":"abc"}'], ["users.get", '{"id":"u1"}']] as const;
  for (const [action, body] of calls) {
    const response = await webhook.handleFromWeb(await signedRequest({ body, action }));
    assert.equal(response.status, 200);
    await response.body?.cancel();
  }
  assert.deepEqual(logger.lines, [
    "info: Answered challenge (200): UserHub may activate the webhook",
    "info: Answered users.get (200)",
  ]);
});

Deno.test("Webhook keeps a failed handler's whole stack in the report", async () => {
  const webhook = new Webhook({
    secret: SECRET,
    now: () => NOW_MS,
    logger: recordingLogger(),
  }).onEvent(() => {
    throw new Error("no table");
  });
  const { response, report } = await webhook.receive(
    await signedRequest({ body: eventBody("users.changed") }),
  );
  await response.body?.cancel();
  assert.equal(report.outcome, "failed");
  assert.match(report.error ?? "", /^Error: no table\n {4}at /);
});

Deno.test("Webhook awaits the onError hook, and logs one that fails instead of failing the answer", async () => {
  for (
    const onError of [() => Promise.reject(new Error("sentry down")), () => {
      throw new Error("sentry down");
    }]
  ) {
    const logger = recordingLogger();
    const webhook = new Webhook({ secret: SECRET, now: () => NOW_MS, logger, onError }).onEvent(
      () => {
        throw new Error("no table");
      },
    );
    const response = await webhook.handleFromWeb(
      await signedRequest({ body: eventBody("users.changed") }),
    );
    assert.equal(response.status, 500);
    assert.equal(await response.text(), '{"message":"Webhook server error","code":"INTERNAL"}');
    assert.equal(logger.lines.length, 1);
    assert.match(
      logger.lines[0]!,
      /^error: The onError hook failed for events\.handle: Error: sentry down( \(at .+\))?$/,
    );
  }
});

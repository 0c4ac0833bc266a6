/**
 * What the app does with a verified call, through `createApp()`: each event
 * type to its own handler, typed; an unknown type acknowledged; a body that
 * is not an event refused; a handler failure as the generic 500; an action
 * with no handler as 501; and the answers outside `POST /webhook` (405,
 * `/healthz`, 404).
 *
 * @module
 */

import assert from "node:assert/strict";
import { eventBody, SAMPLE_PAYLOADS, signedRequest } from "../tests/fixtures.ts";
import { assertError, testApp } from "../tests/test_app.ts";
import type { Event, EventHandlers, EventType } from "../userhub/mod.ts";
import { EVENT_TYPES } from "../userhub/mod.ts";

Deno.test("POST /webhook delivers each event type to its own handler, with Date fields", async (t) => {
  const types = Object.keys(EVENT_TYPES) as EventType[];
  for (const type of types) {
    await t.step(type, async () => {
      const calls: string[] = [];
      const received: Event[] = [];
      const handlers: EventHandlers = Object.fromEntries(types.map((name) => [
        name,
        (event: Event) => {
          calls.push(`${name}:${event.type}`);
          received.push(event);
        },
      ]));
      const { app, errors, lines } = testApp({ handlers });
      const response = await app(await signedRequest({ body: eventBody(type) }));
      assert.deepEqual(errors, []);
      assert.equal(response.status, 200);
      assert.equal(await response.text(), "{}");
      assert.deepEqual(calls, [`${type}:${type}`]);
      assert.ok(lines.includes(`info: Event: ${type}`));
      assert.deepEqual(received, [withDates(eventBody(type))]);
    });
  }
});

Deno.test("POST /webhook hands a handler its type's payload, typed", async () => {
  const seen: unknown[] = [];
  const handlers: EventHandlers = {
    "members.changed": (event) => {
      const { organization, member } = event.membersChanged;
      seen.push(organization.createTime, member.role.createTime, member.user.displayName);
    },
    "subscriptions.changed": (event) => {
      seen.push(event.subscriptionsChanged.subscription.currentPeriod?.endTime);
    },
  };
  const { app } = testApp({ handlers });
  for (const type of ["members.changed", "subscriptions.changed"] as const) {
    const response = await app(await signedRequest({ body: eventBody(type) }));
    assert.equal(response.status, 200);
  }
  const { organization, member } = SAMPLE_PAYLOADS["members.changed"].membersChanged;
  const { subscription } = SAMPLE_PAYLOADS["subscriptions.changed"].subscriptionsChanged;
  assert.deepEqual(seen, [
    new Date(organization.createTime),
    new Date(member.role.createTime),
    member.user.displayName,
    new Date(subscription.currentPeriod!.endTime!),
  ]);
});

/** An event body as a handler gets it: every time field a `Date`. */
function withDates(body: string): unknown {
  return JSON.parse(
    body,
    (key, value) =>
      typeof value === "string" && (key === "time" || key.endsWith("Time"))
        ? new Date(value)
        : value,
  );
}

Deno.test("POST /webhook decodes the envelope time as a Date", async () => {
  const { app, received } = testApp();
  const response = await app(await signedRequest({ body: eventBody("users.changed") }));
  await response.body?.cancel();
  assert.ok(received[0]?.time instanceof Date);
  assert.equal(received[0]?.time?.toISOString(), "2026-11-26T11:59:30.000Z");
  assert.equal(received[0]?.id, "evt_2LLkDJKdGvDCRh3JFsZQ9j");
});

Deno.test("POST /webhook acknowledges an unknown event type and logs it", async () => {
  const { app, received, lines } = testApp();
  const response = await app(
    await signedRequest({
      body: eventBody("example.never_sent", { exampleNeverSent: { example: {} } }),
    }),
  );
  assert.equal(response.status, 200);
  assert.equal(await response.text(), "{}");
  assert.equal(received.length, 0);
  assert.ok(
    lines.some((line) => line.includes("example.never_sent") && line.includes("no handler")),
  );
});

Deno.test("POST /webhook refuses an event body that is not an event with 400", async (t) => {
  const cases: Record<string, string> = {
    "not JSON": "{nope",
    "a JSON array": "[1,2]",
    "a JSON string": '"evt_1"',
    "no id": JSON.stringify({ type: "users.changed", usersChanged: {} }),
    "a numeric id": JSON.stringify({ id: 7, type: "users.changed", usersChanged: {} }),
    "no type": JSON.stringify({ id: "evt_1" }),
    "a known type without its payload": JSON.stringify({ id: "evt_1", type: "users.changed" }),
    "a time that is not a time": eventBody("users.changed", {
      usersChanged: { user: { id: "usr_1", createTime: "yesterday-ish" } },
    }),
    "invalid UTF-8 in a string": "",
    "nesting too deep to walk": `{"id":"evt_1","type":"users.changed","usersChanged":${
      "[".repeat(200_000)
    }${"]".repeat(200_000)}}`,
  };
  for (const [name, body] of Object.entries(cases)) {
    await t.step(name, async () => {
      const { app, received } = testApp();
      const bytes = name === "invalid UTF-8 in a string"
        ? new TextEncoder().encode(eventBody("users.changed", undefined, "evt_\u00ff"))
          .map((byte, i, all) => all[i - 1] === 0xc3 && byte === 0xbf ? 0xff : byte)
        : body;
      const response = await app(await signedRequest({ body: bytes }));
      await assertError(response, 400, "INVALID_ARGUMENT");
      assert.equal(received.length, 0);
    });
  }
});

Deno.test("POST /webhook answers a handler failure with the generic 500 and reports it", async () => {
  const { app, errors } = testApp({
    handlers: {
      "users.changed": () => {
        throw new Error("database password is hunter2");
      },
    },
  });
  const response = await app(await signedRequest({ body: eventBody("users.changed") }));
  assert.equal(response.status, 500);
  assert.equal(response.headers.get("content-type"), "application/json");
  assert.equal(await response.text(), '{"message":"Webhook server error","code":"INTERNAL"}');
  assert.equal(errors.length, 1);
  const [error, context] = errors[0]!;
  assert.match(String(error), /hunter2/);
  assert.deepEqual(context, {
    action: "events.handle",
    eventId: "evt_2LLkDJKdGvDCRh3JFsZQ9j",
    eventType: "users.changed",
  });
});

Deno.test("POST /webhook answers an action with no handler with 501 as the contract says", async () => {
  const { app, errors, lines } = testApp();
  const response = await app(
    await signedRequest({ body: '{"id":"usr_1"}', action: "users.get" }),
  );
  assert.equal(response.status, 501);
  assert.equal(
    await response.text(),
    '{"message":"Handler not implemented: users.get","code":"UNIMPLEMENTED"}',
  );
  assert.deepEqual(lines, ["warn: Refused users.get (501): Handler not implemented: users.get"]);
  assert.deepEqual(errors, []);
});

Deno.test("POST /webhook checks the signature before answering an unknown action", async () => {
  const { app } = testApp();
  const response = await app(
    await signedRequest({ body: '{"id":"usr_1"}', action: "users.get", secret: "whsec_other" }),
  );
  await assertError(response, 401, "UNAUTHENTICATED");
});

Deno.test("/webhook with another method is 405 with Allow: POST", async () => {
  const { app } = testApp();
  for (const method of ["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE"]) {
    const response = await app(new Request("http://localhost/webhook", { method }));
    assert.equal(response.headers.get("allow"), "POST");
    await assertError(response, 405, "INVALID_ARGUMENT");
  }
});

Deno.test("GET /healthz is 200 JSON, any other path is 404 JSON", async () => {
  const { app } = testApp();
  const health = await app(new Request("http://localhost/healthz"));
  assert.equal(health.status, 200);
  assert.equal(health.headers.get("content-type"), "application/json");
  assert.deepEqual(await health.json(), { status: "ok" });
  const post = await app(new Request("http://localhost/healthz", { method: "POST", body: "{}" }));
  assert.equal(post.headers.get("allow"), "GET, HEAD");
  await assertError(post, 405, "INVALID_ARGUMENT");
  for (const path of ["/", "/webhooks", "/webhook/extra", "/healthz/x"]) {
    const response = await app(
      new Request(`http://localhost${path}`, { method: "POST", body: "{}" }),
    );
    await assertError(response, 404, "NOT_FOUND");
  }
});

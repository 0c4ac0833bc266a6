import assert from "node:assert/strict";
import {
  eventBody,
  NOW_MS,
  recordingLogger,
  SAMPLE_PAYLOADS,
  SECRET,
  signedRequest,
} from "../tests/fixtures.ts";
import { createApp } from "./mod.ts";
import { testApp as recordingApp } from "../tests/test_app.ts";

/** Sends an event whose body is `fields` after an id, a time and a type. */
async function send(app: (request: Request) => Promise<Response>, type: string, fields: string) {
  const body = `{"id":"evt_1","time":"2026-11-26T12:00:00Z","type":"${type}",${fields}}`;
  const response = await app(await signedRequest({ body }));
  return { status: response.status, body: await response.json() };
}

const user = JSON.stringify(SAMPLE_PAYLOADS["users.changed"].usersChanged.user);
const { organization, member } = SAMPLE_PAYLOADS["members.changed"].membersChanged;

Deno.test("POST /webhook refuses a known event whose payload is wrong inside, naming the field", async (t) => {
  const cases: [string, string, string, string][] = [
    ["no user", "users.changed", `"usersChanged":{}`, "usersChanged.user"],
    ["a null user", "users.changed", `"usersChanged":{"user":null}`, "usersChanged.user"],
    ["a user without id", "users.changed", `"usersChanged":{"user":{}}`, "usersChanged.user.id"],
    [
      "an id that is a number",
      "users.changed",
      `"usersChanged":{"user":${user.replace('"id":"usr_', '"id":7,"x":"')}}`,
      "usersChanged.user.id",
    ],
    [
      "a member missing",
      "members.changed",
      `"membersChanged":{"organization":${JSON.stringify(organization)}}`,
      "membersChanged.member",
    ],
    [
      "a member's role without permission sets",
      "members.changed",
      `"membersChanged":${
        JSON.stringify({
          organization,
          member: { ...member, role: { ...member.role, permissionSets: undefined } },
        })
      }`,
      "membersChanged.member.role.permissionSets",
    ],
    ["a flow that is text", "flows.changed", `"flowsChanged":{"flow":"x"}`, "flowsChanged.flow"],
    [
      "a __proto__ key",
      "users.changed",
      `"usersChanged":{"__proto__":{"user":${user}}}`,
      "usersChanged.__proto__",
    ],
    [
      "a nested __proto__ key",
      "users.changed",
      `"usersChanged":{"user":${user.replace("{", '{"__proto__":{"id":"x"},')}}`,
      "usersChanged.user.__proto__",
    ],
    [
      "a list item of the wrong type",
      "users.changed",
      `"usersChanged":{"user":${user.replace('"view"', '"address":{"lines":[1]},"view"')}}`,
      "usersChanged.user.address.lines.0",
    ],
  ];
  const { app, received } = recordingApp();
  for (const [name, type, fields, path] of cases) {
    await t.step(`${name} is 400 naming ${path}`, async () => {
      const { status, body } = await send(app, type, fields);
      assert.equal(status, 400);
      assert.equal(body.code, "INVALID_ARGUMENT");
      assert.ok(body.message.includes(`"${path}"`), body.message);
    });
  }
  assert.equal(received.length, 0, "a handler ran");
});

Deno.test("POST /webhook passes a valid payload with fields newer than this receiver to its handler", async () => {
  const { app, received } = recordingApp();
  const newer = user.replace(
    '"view"',
    '"pronouns":"she/her","reviewTime":"2026-11-01T00:00:00Z","view"',
  );
  const { status } = await send(app, "users.changed", `"usersChanged":{"user":${newer},"extra":1}`);
  assert.equal(status, 200);
  const event = received[0] as unknown as { usersChanged: Record<string, Record<string, unknown>> };
  assert.equal(event.usersChanged.user!.pronouns, "she/her");
  assert.ok(event.usersChanged.user!.reviewTime instanceof Date);
  assert.equal((event.usersChanged as unknown as { extra: number }).extra, 1);
});

Deno.test("POST /webhook treats an optional field sent as null as absent", async () => {
  const { app, received } = recordingApp();
  const nulls = user.replace('"view"', '"displayName":null,"address":null,"view"');
  const { status } = await send(app, "users.changed", `"usersChanged":{"user":${nulls}}`);
  assert.equal(status, 200);
  const event = received[0] as unknown as { usersChanged: { user: Record<string, unknown> } };
  assert.equal(Object.hasOwn(event.usersChanged.user, "displayName"), false);
  assert.equal(Object.hasOwn(event.usersChanged.user, "address"), false);
});

Deno.test("POST /webhook still acknowledges an unknown event type whatever its payload", async () => {
  const { app, received, lines } = recordingApp();
  const { status } = await send(app, "widgets.changed", `"widgetsChanged":{"widget":null}`);
  assert.equal(status, 200);
  assert.equal(received.length, 0);
  assert.ok(
    lines.includes(
      "warn: Event: widgets.changed has no handler, acknowledged (add one to handlers/mod.ts)",
    ),
  );
});

Deno.test("POST /webhook logs a handler's failure on one line, with where in the handler it was thrown", async () => {
  const logger = recordingLogger();
  const app = createApp({
    secrets: [SECRET],
    now: () => NOW_MS,
    logger,
    handlers: {
      "users.changed": () => {
        throw new Error("no table\nflows");
      },
    },
  });
  const response = await app(await signedRequest({ body: eventBody("users.changed") }));
  assert.equal(response.status, 500);
  await response.body?.cancel();
  assert.equal(logger.lines.length, 2);
  assert.equal(logger.lines[0], "info: Event: users.changed");
  assert.match(
    logger.lines[1]!,
    /^error: Handler failed for event evt_\w+ \(users\.changed\): Error: no table\\nflows \(at app\/payload_test\.ts:\d+:\d+\)$/,
  );
});

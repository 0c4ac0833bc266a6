import assert from "node:assert/strict";
import { KvDeliveryGuard } from "../dedupe/mod.ts";
import { createApp } from "./mod.ts";
import {
  eventBody,
  NOW_MS,
  NOW_S,
  recordingLogger,
  SECRET,
  signedRequest,
  withKv,
} from "../tests/fixtures.ts";
import { KvUserDirectory } from "../examples/kv_user_directory.ts";
import { type CustomUserProvider, WebhookError } from "../userhub/mod.ts";

const JANE = { id: "user-1001", displayName: "Jane Doe", email: "jane@acme.example" };

/** How many calls were signed: each is signed a second earlier than the one before. */
let signed = 0;

/** The app with a user directory over an in-memory KV, duplicate check on. */
function directoryApp(kv: Deno.Kv, customUsers: CustomUserProvider = new KvUserDirectory(kv)) {
  const logger = recordingLogger();
  const errors: unknown[] = [];
  const app = createApp({
    secrets: [SECRET],
    guard: new KvDeliveryGuard(kv, { now: () => NOW_MS }),
    customUsers,
    now: () => NOW_MS,
    logger,
    onError: (error) => errors.push(error),
  });
  const call = async (action: string, body: unknown) => {
    const text = typeof body === "string" ? body : JSON.stringify(body);
    // Each call signed anew, as UserHub does: a repeat of the same bytes would be a replay.
    const request = await signedRequest({ body: text, action, timestamp: NOW_S - signed++ % 300 });
    const response = await app(request);
    return { status: response.status, body: await response.json() };
  };
  return { app, call, errors, lines: logger.lines };
}

Deno.test("users.* with the example directory: create, get, list, update, delete", async () => {
  await withKv(async (kv) => {
    const { call } = directoryApp(kv);
    assert.deepEqual(await call("users.create", JANE), { status: 200, body: JANE });
    assert.deepEqual(await call("users.get", { id: JANE.id }), { status: 200, body: JANE });
    assert.deepEqual(await call("users.list", { pageSize: 10 }), {
      status: 200,
      body: { users: [JANE] },
    });
    const renamed = { ...JANE, displayName: "Jane Q. Doe", emailVerified: true };
    assert.deepEqual(await call("users.update", renamed), { status: 200, body: renamed });
    assert.deepEqual(await call("users.get", { id: JANE.id }), { status: 200, body: renamed });
    assert.deepEqual(await call("users.delete", { id: JANE.id }), { status: 200, body: {} });
    assert.deepEqual(await call("users.list", { pageSize: 10 }), {
      status: 200,
      body: { users: [] },
    });
  });
});

Deno.test("users.* answers the contract's errors for users that do or do not exist", async () => {
  await withKv(async (kv) => {
    const { call, errors } = directoryApp(kv);
    const notFound = { message: "User not found", code: "NOT_FOUND" };
    for (
      const [action, body] of [
        ["users.get", { id: "nobody" }],
        ["users.update", { id: "nobody" }],
        ["users.delete", { id: "nobody" }],
      ] as const
    ) {
      assert.deepEqual(await call(action, body), { status: 404, body: notFound }, action);
    }
    await call("users.create", JANE);
    const again = await call("users.create", JANE);
    assert.equal(again.status, 400);
    assert.equal(again.body.code, "ALREADY_EXISTS");
    assert.deepEqual(errors, [], "an answer with a UserHub code is not a failure");
  });
});

Deno.test("users.* refuses an invalid request with 400 naming the field, before the provider runs", async (t) => {
  await withKv(async (kv) => {
    let ran = 0;
    const counting = new Proxy(new KvUserDirectory(kv), {
      get: (target, name) => {
        const method = Reflect.get(target, name) as (...args: unknown[]) => unknown;
        return (...args: unknown[]) => (ran++, method.apply(target, args));
      },
    });
    const { call } = directoryApp(kv, counting);
    const cases: [string, unknown, string][] = [
      ["users.get", {}, '"id"'],
      ["users.get", { id: "" }, '"id"'],
      ["users.delete", { id: 7 }, '"id"'],
      ["users.delete", [], '"id"'],
      ["users.list", {}, '"pageSize"'],
      ["users.list", { pageSize: 0 }, '"pageSize"'],
      ["users.list", { pageSize: 1001 }, '"pageSize"'],
      ["users.list", { pageSize: 2.5 }, '"pageSize"'],
      ["users.list", { pageSize: "10" }, '"pageSize"'],
      ["users.list", { pageSize: 10, pageToken: 3 }, '"pageToken"'],
      ["users.create", { displayName: "No id" }, '"id"'],
      ["users.create", { id: "" }, '"id"'],
      ["users.create", { ...JANE, email: 42 }, '"email"'],
      ["users.create", { ...JANE, emailVerified: "yes" }, '"emailVerified"'],
      ["users.update", { ...JANE, displayName: {} }, '"displayName"'],
      ["users.update", { ...JANE, disabled: 1 }, '"disabled"'],
      ["users.update", "[]", "the body is not an object"],
    ];
    for (const [action, body, field] of cases) {
      await t.step(`${action} ${JSON.stringify(body)} names ${field}`, async () => {
        const { status, body: answer } = await call(action, body);
        assert.equal(status, 400);
        assert.equal(answer.code, "INVALID_ARGUMENT");
        assert.ok(answer.message.startsWith(`Cannot run ${action}: ${field}`), answer.message);
      });
    }
    assert.equal(ran, 0, "the provider ran for an invalid request");
  });
});

Deno.test("users.* maps a provider's UserHub codes to their status; anything else is the generic 500", async () => {
  await withKv(async (kv) => {
    const fail = (error: unknown) => () => Promise.reject(error);
    const cases: [unknown, number, string][] = [
      [new WebhookError("INVALID_ARGUMENT", "Bad email"), 400, "INVALID_ARGUMENT"],
      [new WebhookError("ALREADY_EXISTS", "Taken"), 400, "ALREADY_EXISTS"],
      [new WebhookError("FAILED_PRECONDITION", "Locked"), 400, "FAILED_PRECONDITION"],
      [new WebhookError("NOT_FOUND", "User not found"), 404, "NOT_FOUND"],
      [new WebhookError("RESOURCE_EXHAUSTED", "Slow down"), 429, "RESOURCE_EXHAUSTED"],
      [new WebhookError("UNIMPLEMENTED", "Not here"), 501, "UNIMPLEMENTED"],
      [new Error("connection refused: db:5432"), 500, "INTERNAL"],
    ];
    for (const [error, status, code] of cases) {
      const provider = {
        listUsers: fail(error),
        getUser: fail(error),
        createUser: fail(error),
        updateUser: fail(error),
        deleteUser: fail(error),
      };
      const { call, errors } = directoryApp(kv, provider);
      const answer = await call("users.get", { id: "user-1" });
      assert.deepEqual(answer.status, status);
      assert.equal(answer.body.code, code);
      if (status === 500) {
        assert.equal(answer.body.message, "Webhook server error");
        assert.deepEqual(errors, [error]);
      } else assert.deepEqual(errors, []);
    }
  });
});

Deno.test("users.* answers 500 and logs the bug when a provider returns a malformed result", async (t) => {
  await withKv(async (kv) => {
    const results: [string, string, unknown, string][] = [
      ["users.get", "getUser", { displayName: "No id" }, '"id" is missing'],
      ["users.get", "getUser", { id: "" }, '"id" is empty'],
      ["users.create", "createUser", { id: "u", email: ["x"] }, '"email" is not a string'],
      ["users.update", "updateUser", null, "not an object"],
      ["users.list", "listUsers", { users: "none" }, '"users" is not a list'],
      ["users.list", "listUsers", { users: [JANE, { id: 2 }] }, '"users.1.id" is not a string'],
      ["users.list", "listUsers", { users: [], nextPageToken: 5 }, '"nextPageToken"'],
    ];
    for (const [action, method, result, problem] of results) {
      await t.step(`${action} returning ${JSON.stringify(result)}`, async () => {
        const provider = new KvUserDirectory(kv) as unknown as Record<string, unknown>;
        provider[method] = () => result;
        const { call, errors } = directoryApp(kv, provider as unknown as CustomUserProvider);
        const request = action === "users.list" ? { pageSize: 10 } : JANE;
        const answer = await call(action, request);
        assert.deepEqual(answer, {
          status: 500,
          body: { message: "Webhook server error", code: "INTERNAL" },
        });
        assert.ok(String(errors[0]).includes(problem), String(errors[0]));
      });
    }
  });
});

Deno.test("users.* answers only the contract's fields of what a provider returns", async () => {
  await withKv(async (kv) => {
    const row = { ...JANE, passwordHash: "$argon2id$…", internalNotes: "VIP" };
    const provider = new KvUserDirectory(kv);
    provider.getUser = () => Promise.resolve(row);
    const { call } = directoryApp(kv, provider);
    assert.deepEqual(await call("users.get", { id: JANE.id }), { status: 200, body: JANE });
  });
});

Deno.test("users.* with the duplicate check: a replay is refused, an event record never answers", async () => {
  await withKv(async (kv) => {
    const { app, call } = directoryApp(kv);
    await call("users.create", JANE);
    const get = await signedRequest({ body: `{"id":"${JANE.id}"}`, action: "users.get" });
    const first = await app(get.clone());
    assert.equal(first.status, 200);
    await first.body?.cancel();
    const replay = await app(get);
    assert.equal(replay.status, 409);
    assert.equal((await replay.json()).code, "ABORTED");

    // An event whose id is a user's id is handled and recorded as done...
    const event = await app(
      await signedRequest({ body: eventBody("users.changed", undefined, "user-2002") }),
    );
    assert.equal(event.status, 200);
    await event.body?.cancel();
    // ...and a users.get of that id still asks the directory.
    assert.deepEqual(await call("users.get", { id: "user-2002" }), {
      status: 404,
      body: { message: "User not found", code: "NOT_FOUND" },
    });
  });
});

Deno.test("users.* answers 501 when the app has no user directory", async () => {
  const app = createApp({ secrets: [SECRET], now: () => NOW_MS, logger: recordingLogger() });
  for (
    const action of ["users.list", "users.get", "users.create", "users.update", "users.delete"]
  ) {
    const response = await app(await signedRequest({ body: JSON.stringify(JANE), action }));
    assert.equal(response.status, 501, action);
    assert.deepEqual(await response.json(), {
      message: `Handler not implemented: ${action}`,
      code: "UNIMPLEMENTED",
    });
  }
});

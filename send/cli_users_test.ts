import assert from "node:assert/strict";
import { Webhook } from "../userhub/mod.ts";
import { main } from "./cli.ts";
import {
  createApp,
  KvDeliveryGuard,
  KvUserDirectory,
  quietLogger,
  SECRET,
  serve,
  testRun,
} from "./_testing.ts";

Deno.test("main() sends realistic users.* bodies; a server without handlers answers 501", async (t) => {
  const inputs = new Map<string, unknown>();
  const webhook = new Webhook({ secret: SECRET, logger: quietLogger });
  const user = { id: "user-1", displayName: "Jane Doe" };
  webhook
    .onAction("users.list", (input) => (inputs.set("users.list", input), { users: [user] }))
    .onAction("users.get", (input) => (inputs.set("users.get", input), user))
    .onAction("users.create", (input) => (inputs.set("users.create", input), input))
    .onAction("users.update", (input) => (inputs.set("users.update", input), input))
    .onAction("users.delete", (input) => (inputs.set("users.delete", input), {}));
  const withHandlers = serve((request) => webhook.handleFromWeb(request));
  const without = serve(createApp({ secrets: [SECRET], logger: quietLogger }));
  const actions = ["users.list", "users.get", "users.create", "users.update", "users.delete"];
  try {
    await t.step("each action reaches its handler and gets 200", async () => {
      for (const action of actions) {
        const { deps, out } = testRun();
        assert.equal(await main([action, "--url", withHandlers.url], deps), 0, out.join("\n"));
        assert.match(out[1]!, new RegExp(`^${action.replace(".", "\\.")} → 200 OK `));
      }
      assert.deepEqual(inputs.get("users.list"), { pageSize: 10 });
      assert.deepEqual(inputs.get("users.get"), { id: "user-1001" });
      assert.deepEqual(Object.keys(inputs.get("users.delete") as object), ["id"]);
      for (const action of ["users.create", "users.update"]) {
        assert.deepEqual(Object.keys(inputs.get(action) as object).sort(), [
          "disabled",
          "displayName",
          "email",
          "emailVerified",
          "id",
          "imageUrl",
          "phoneNumber",
          "phoneNumberVerified",
        ]);
      }
    });
    await t.step("the project's app answers 501, printed with a hint; exit code 1", async () => {
      const { deps, out } = testRun();
      assert.equal(
        await main(["users.list", "--url", without.url, "--set", "pageSize=2"], deps),
        1,
      );
      assert.equal(JSON.parse(new TextDecoder().decode(without.received[0]!.body)).pageSize, 2);
      assert.match(
        out[1]!,
        /^users\.list → 501 Not Implemented \(.+\) \{"message":"Handler not implemented: users\.list","code":"UNIMPLEMENTED"\}$/,
      );
      assert.match(out[2]!, /^501: the server has no handler for users\.list/);
    });
  } finally {
    await withHandlers.close();
    await without.close();
  }
});

Deno.test("main() drives the example user directory: create, get, list, update, delete each get 2xx", async () => {
  const kv = await Deno.openKv(":memory:");
  const server = serve(
    createApp({
      secrets: [SECRET],
      guard: new KvDeliveryGuard(kv),
      customUsers: new KvUserDirectory(kv),
      logger: quietLogger,
    }),
  );
  try {
    // Each call signed a second earlier than the one before: this test sends users.get,
    // users.list and users.delete more than once, and the same call twice in a second is a replay.
    let offset = 0;
    const send = async (...args: string[]) => {
      const { deps, out } = testRun();
      const signedAt = ["--timestamp-offset", String(offset--)];
      const code = await main([...args, ...signedAt, "--url", server.url], deps);
      return { code, line: out[1]! };
    };
    for (const action of ["users.create", "users.get", "users.list", "users.update"]) {
      const { code, line } = await send(action);
      assert.equal(code, 0, line);
      assert.match(line, /→ 200 OK .*"id":"user-1001"/);
    }
    const updated = await send("users.get");
    assert.match(updated.line, /"displayName":"Jane Q\. Doe"/);
    const unknown = await send("users.get", "--set", "id=nobody");
    assert.equal(unknown.code, 1);
    assert.match(
      unknown.line,
      /→ 404 Not Found .*\{"message":"User not found","code":"NOT_FOUND"\}$/,
    );
    const deleted = await send("users.delete");
    assert.equal(deleted.code, 0, deleted.line);
    assert.match(deleted.line, /^users\.delete → 200 OK \(.+\) \{\}$/);
    const again = await send("users.delete");
    assert.match(again.line, /→ 404 Not Found /);
    const empty = await send("users.list");
    assert.match(empty.line, /→ 200 OK \(.+\) \{"users":\[\]\}$/);
  } finally {
    await server.close();
    kv.close();
  }
});

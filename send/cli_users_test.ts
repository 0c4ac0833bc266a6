import assert from "node:assert/strict";
import { createApp } from "../app.ts";
import { Webhook } from "../userhub/webhook.ts";
import { main } from "./cli.ts";
import { quietLogger, SECRET, serve, testRun } from "./_testing.ts";

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
      assert.match(String((inputs.get("users.get") as { id: string }).id), /^user-\d+$/);
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

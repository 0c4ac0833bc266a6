/**
 * The `CUSTOM_USERS` switch of `main.ts`, started as `deno task start` starts it.
 *
 * @module
 */

import assert from "node:assert/strict";
import { SECRET, signedRequest, withScratchDir } from "./fixtures.ts";
import { runStart, Server, startTaskArgs } from "./_process.ts";

/** Sends a signed `users.get` for `id` to a running server. */
async function getUser(server: Server, id: string) {
  const request = await signedRequest({
    body: JSON.stringify({ id }),
    action: "users.get",
    timestamp: Math.floor(Date.now() / 1000),
    url: `${server.url}/webhook`,
  });
  const response = await fetch(request);
  return { status: response.status, body: await response.json() };
}

Deno.test("main.ts with CUSTOM_USERS=example answers users.* from the example directory", async () => {
  // The example keeps its users in Deno's default KV location: a DENO_DIR of the test's own.
  await withScratchDir(async (denoDir) => {
    const env = {
      SIGNING_SECRET: SECRET,
      CUSTOM_USERS: "example",
      DEDUPE: "off",
      DENO_DIR: denoDir,
    };
    const server = await new Server(await startTaskArgs(), env).listening();
    try {
      await server.waitFor(/^User directory: the example of examples\/kv_user_directory\.ts/m);
      assert.deepEqual(await getUser(server, "nobody"), {
        status: 404,
        body: { message: "User not found", code: "NOT_FOUND" },
      });
    } finally {
      assert.equal(await server.stop(), 0, server.output);
    }
  });
});

Deno.test("main.ts with CUSTOM_USERS off (the default) answers users.* with 501", async () => {
  for (const value of ["", "off"]) {
    const env = { SIGNING_SECRET: SECRET, CUSTOM_USERS: value, DEDUPE: "off" };
    const server = await new Server(await startTaskArgs(), env).listening();
    try {
      const { status, body } = await getUser(server, "user-1001");
      assert.equal(status, 501, value);
      assert.equal(body.code, "UNIMPLEMENTED");
      assert.doesNotMatch(server.output, /User directory/);
    } finally {
      await server.stop();
    }
  }
});

Deno.test("main.ts exits 1 with one clear line for any other CUSTOM_USERS", async () => {
  const { code, stderr } = await runStart({ SIGNING_SECRET: SECRET, CUSTOM_USERS: "yes" });
  assert.equal(code, 1);
  assert.equal(stderr, 'CUSTOM_USERS "yes" is not valid: use "off" (the default) or "example"');
});

/**
 * The user directory and the listening address of `main.ts`, started as
 * `deno task start` starts it.
 *
 * @module
 */

import assert from "node:assert/strict";
import { SECRET, signedRequest } from "./fixtures.ts";
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

Deno.test("main.ts with the template's handlers/custom_users.ts answers users.* with 501", async () => {
  const env = { SIGNING_SECRET: SECRET, DEDUPE: "off" };
  const server = await new Server(await startTaskArgs(), env).listening();
  try {
    const { status, body } = await getUser(server, "user-1001");
    assert.equal(status, 501);
    assert.equal(body.code, "UNIMPLEMENTED");
  } finally {
    await server.stop();
  }
});

Deno.test("main.ts listens where HOSTNAME says, and prints it", async () => {
  const env = { SIGNING_SECRET: SECRET, DEDUPE: "off", HOSTNAME: "127.0.0.1" };
  const server = await new Server(await startTaskArgs(), env).listening();
  try {
    assert.match(server.output, /^Listening on http:\/\/127\.0\.0\.1:\d+$/m);
    const { status } = await getUser(server, "user-1001");
    assert.equal(status, 501);
  } finally {
    await server.stop();
  }
});

Deno.test("main.ts without HOSTNAME listens on every interface and says so", async () => {
  const server = await new Server(await startTaskArgs(), { SIGNING_SECRET: SECRET, DEDUPE: "off" })
    .listening();
  try {
    assert.match(
      server.output,
      /^Listening on http:\/\/0\.0\.0\.0:(\d+) \(every interface; HOSTNAME picks one\), http:\/\/127\.0\.0\.1:\1 here$/m,
    );
  } finally {
    await server.stop();
  }
});

Deno.test("main.ts exits 1 with one line when it cannot listen where HOSTNAME says", async () => {
  const { code, stderr } = await runStart({
    SIGNING_SECRET: SECRET,
    DEDUPE: "off",
    HOSTNAME: "host.invalid",
  });
  assert.equal(code, 1);
  assert.equal(
    stderr,
    'Cannot listen on PORT 8000 on HOSTNAME "host.invalid": the name does not resolve',
  );
});

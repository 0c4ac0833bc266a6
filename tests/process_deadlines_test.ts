/**
 * The process helpers' deadlines: a wait for a `main.ts` process fails with
 * what it waited for and what the process printed, rather than hang.
 *
 * @module
 */

import assert from "node:assert/strict";
import { SECRET } from "./fixtures.ts";
import { Server, startTaskArgs } from "./_process.ts";

Deno.test("Server.waitFor fails after its deadline with the pattern and the output so far", async () => {
  const server = await new Server(await startTaskArgs(), { SIGNING_SECRET: SECRET, DEDUPE: "off" })
    .listening();
  try {
    await assert.rejects(
      () => server.waitFor(/^never printed$/m, 300),
      /no \/\^never printed\$\/m in the server's output \(0\.3 s passed\):\nListening on /,
    );
  } finally {
    await server.stop();
  }
});

Deno.test("Server.waitFor fails at once when the process exits first", async () => {
  const server = new Server(await startTaskArgs(), { SIGNING_SECRET: "" });
  const started = Date.now();
  await assert.rejects(() => server.waitFor(/^Listening on /m), /\(it exited\):\nSIGNING_SECRET/);
  assert.ok(Date.now() - started < 20_000);
  assert.equal(await server.exited(), 1);
});

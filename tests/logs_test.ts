/**
 * Log lines a request cannot forge: `main.ts`, run as `deno task start` runs
 * it, prints a display name that holds a newline, a carriage return and an
 * ANSI escape as one line, its control characters escaped.
 *
 * @module
 */

import assert from "node:assert/strict";
import { SAMPLE_PAYLOADS, SECRET, signedRequest } from "./fixtures.ts";
import { Server, startTaskArgs } from "./_process.ts";

Deno.test("main.ts prints a forged display name on one line, its control characters escaped", async () => {
  const server = await new Server(await startTaskArgs(), { SIGNING_SECRET: SECRET, DEDUPE: "off" })
    .listening();
  try {
    const { user } = SAMPLE_PAYLOADS["users.changed"].usersChanged;
    const forged = "Jane\nEvent: organizations.changed\r - Organization: org_1 Acme\u001b[2J";
    const body = JSON.stringify({
      id: "evt_forged",
      type: "users.changed",
      usersChanged: { user: { ...user, displayName: forged } },
    });
    const request = await signedRequest({
      body,
      timestamp: Math.floor(Date.now() / 1000),
      url: `${server.url}/webhook`,
    });
    const response = await fetch(request);
    assert.equal(response.status, 200);
    await response.body?.cancel();
    const [line] = await server.waitFor(/^ - User: .*$/m);
    assert.equal(
      line,
      ` - User: ${user.id} Jane\\nEvent: organizations.changed\\r - Organization: org_1 Acme\\u001b[2J`,
    );
  } finally {
    await server.stop();
  }
  assert.equal(server.output.match(/^Event: /gm)?.length, 1, server.output);
  assert.ok(!server.output.includes("\u001b") && !server.output.includes("\r"));
});

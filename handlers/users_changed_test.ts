/**
 * A test of a handler, as you would write one for yours: the app, as
 * `main.ts` serves it, called with a request signed as UserHub signs it.
 *
 * @module
 */

import assert from "node:assert/strict";
import { createApp } from "../main.ts";
import { eventRequest } from "../userhub/testing.ts";

Deno.test("users.changed runs its handler and is answered 200", async () => {
  const secret = "whsec_test";
  const seen: string[] = [];
  const app = createApp({
    secrets: [secret],
    handlers: { "users.changed": (event) => void seen.push(event.usersChanged.user.id) },
  });
  const response = await app(await eventRequest("users.changed", { secret }));
  assert.equal(response.status, 200);
  assert.equal(await response.text(), "{}");
  assert.equal(seen.length, 1);
});

Deno.test("handlers/users_changed.ts logs the user of the event", async () => {
  const secret = "whsec_test";
  const lines: string[] = [];
  const log = console.log;
  console.log = (line: string) => void lines.push(line);
  try {
    const app = createApp({ secrets: [secret] });
    const response = await app(await eventRequest("users.changed", { secret, id: "evt_test_1" }));
    assert.equal(response.status, 200);
    await response.body?.cancel();
  } finally {
    console.log = log;
  }
  assert.match(lines.join("\n"), /^ - User: usr_\w+ /m);
});

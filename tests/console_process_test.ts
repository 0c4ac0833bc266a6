/**
 * Who turns the delivery console on: the `dev` task, and nothing else.
 *
 * @module
 */

import assert from "node:assert/strict";
import { SECRET } from "./fixtures.ts";
import { Server, startTaskArgs, taskCommand } from "./_process.ts";

Deno.test("deno task start serves no console, even with DEV_CONSOLE=on in its environment", async () => {
  for (const value of ["", "on"]) {
    const env = { SIGNING_SECRET: SECRET, DEDUPE: "off", DEV_CONSOLE: value };
    const server = await new Server(await startTaskArgs(), env).listening();
    try {
      const page = await fetch(`${server.url}/_console`);
      assert.equal(page.status, 404, `DEV_CONSOLE=${value}`);
      await page.body?.cancel();
    } finally {
      await server.stop();
    }
    assert.doesNotMatch(server.output, /^Console: /m);
  }
});

Deno.test("the dev task's DEV_CONSOLE=on serves the console and prints where", async () => {
  const dev = await taskCommand("dev");
  assert.deepEqual(dev.env, { DEV_CONSOLE: "on" });
  // The dev task's flags, without the watcher, which a test does not need.
  const args = dev.args.filter((word) => word !== "--watch");
  // The console keeps its calls in Deno's default KV location: in memory (PROCESS_ENV).
  const env = { SIGNING_SECRET: SECRET, DEDUPE: "off", DEV_CONSOLE: "on" };
  const server = await new Server(args, env).listening();
  try {
    const [, url] = await server.waitFor(/^Console: (http:\/\/127\.0\.0\.1:\d+\/_console)$/m);
    const page = await fetch(url!, { signal: AbortSignal.timeout(10_000) });
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<title>UserHub deliveries<\/title>/);
  } finally {
    await server.stop();
  }
});

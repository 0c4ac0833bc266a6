/**
 * The delivery console in a real browser: `_browser_check.ts` starts the
 * server as `deno task dev` does and drives Debian's headless Chromium. This
 * folder has a deno.json and a lockfile of its own, so that only this test
 * fetches the browser tooling; the project's `deno task test` runs it with
 * that configuration. The check runs as its own process, with what a browser
 * needs (Chromium, its profile in /tmp, the environment), so that this test
 * keeps narrow permissions. It saves `.test_kv/console.png`.
 *
 * @module
 */

import assert from "node:assert/strict";

const CHROMIUM = "/usr/bin/chromium";
/** The whole check: starting the server and Chromium, and each step's own deadline. */
const CHECK_MS = 180_000;
const here = new URL(".", import.meta.url);
const scratch = new URL("../../.test_kv/", import.meta.url).pathname;

// Ignored (and reported so) on a machine without Debian's Chromium; .ci/run installs it.
const hasChromium = await Deno.stat(CHROMIUM).then(() => true, () => false);

Deno.test({
  name:
    "the console in headless Chromium: stored calls at first paint, a call live, delivered again, started over",
  ignore: !hasChromium,
}, async () => {
  const { code, stdout, stderr } = await new Deno.Command("deno", {
    args: [
      "run",
      "--allow-sys",
      `--allow-run=deno,${CHROMIUM}`,
      "--allow-env",
      "--allow-read",
      `--allow-write=${scratch},/tmp`,
      "--allow-net=127.0.0.1",
      "_browser_check.ts",
      `${scratch}console.png`,
    ],
    cwd: here,
    env: { CHROMIUM, NO_COLOR: "1" },
    stdin: "null",
    signal: AbortSignal.timeout(CHECK_MS),
  }).output();
  const out = new TextDecoder().decode(stdout);
  const message = `${out}\n${new TextDecoder().decode(stderr)}`;
  assert.notEqual(
    code,
    143,
    `the browser check was stopped after ${CHECK_MS / 1000} s:\n${message}`,
  );
  assert.equal(code, 0, message);
  assert.match(out, /^first paint: 2 stored calls, before the live connection$/m);
  assert.match(out, /^row appeared live: evt_\w+$/m);
  assert.match(out, /^row opened with its logs, then its body$/m);
  assert.match(out, /^delivered again: duplicate, marked and selected$/m);
  assert.match(out, /^event without a handler: no handler$/m);
  assert.match(out, /^screenshot: .*\/\.test_kv\/console\.png$/m);
  assert.match(out, /^started over: no calls$/m);
});

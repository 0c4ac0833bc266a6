/**
 * The delivery console in a real browser: `console/browser_test/_browser_check.ts` starts
 * the server as `deno task dev` does and drives Debian's headless Chromium.
 * It runs as its own process, with what a browser needs (Chromium, its
 * profile in /tmp, the environment), so that the tests keep their narrow
 * permissions. It saves `.test_kv/console.png`, the picture in the README.
 *
 * @module
 */

import assert from "node:assert/strict";

const CHROMIUM = "/usr/bin/chromium";

// Ignored (and reported so) on a machine without Debian's Chromium; .ci/run installs it.
const hasChromium = (await new Deno.Command("deno", {
  args: ["eval", `Deno.statSync(${JSON.stringify(CHROMIUM)})`],
  stdout: "null",
  stderr: "null",
}).output()).success;

Deno.test({
  name:
    "the console in headless Chromium: a call appears live, opens with its body, and is delivered again",
  ignore: !hasChromium,
}, async () => {
  const { code, stdout, stderr } = await new Deno.Command("deno", {
    args: [
      "run",
      "--allow-sys",
      `--allow-run=deno,${CHROMIUM}`,
      "--allow-env",
      "--allow-read",
      "--allow-write=.test_kv,/tmp",
      "--allow-net=127.0.0.1",
      "console/browser_test/_browser_check.ts",
      ".test_kv/console.png",
    ],
    cwd: new URL("../../", import.meta.url),
    env: { CHROMIUM, NO_COLOR: "1" },
    stdin: "null",
  }).output();
  const out = new TextDecoder().decode(stdout);
  assert.equal(code, 0, `${out}\n${new TextDecoder().decode(stderr)}`);
  assert.match(out, /^row appeared live: evt_\w+$/m);
  assert.match(out, /^row opened with its body and logs$/m);
  assert.match(out, /^delivered again: duplicate$/m);
  assert.match(out, /^screenshot: \.test_kv\/console\.png$/m);
});

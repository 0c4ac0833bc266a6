/**
 * The delivery console in a real browser, as a developer uses it: starts
 * `main.ts` with the `dev` task's command, opens the console in headless
 * Chromium (Debian's `chromium`, driven by `puppeteer-core`), sends an event
 * with `deno task send`, and checks that its row appears without a reload,
 * that it opens with its body, and that "Deliver again" adds a row. Saves a
 * screenshot. Run by `console_browser_test.ts`, which gives it the
 * permissions a browser needs; exits 1 with the reason when a check fails.
 *
 * Usage: `deno run … console/_browser_check.ts <screenshot.png>`
 *
 * @module
 */

import assert from "node:assert/strict";
import { dirname } from "node:path";
import puppeteer, { type Page } from "puppeteer-core";
import { taskCommand } from "../../tests/_process.ts";

/** The page's DOM, as the functions run in the browser use it. */
declare const document: {
  querySelectorAll(selector: string): { length: number };
  querySelector(selector: string): { textContent: string | null } | null;
};
type Shown = { innerText: string };

const SECRET = "whsec_test";
const CHROMIUM = Deno.env.get("CHROMIUM") ?? "/usr/bin/chromium";
const screenshot = Deno.args[0] ?? ".test_kv/console.png";
const root = new URL("../../", import.meta.url);

/** Starts the dev server on a free port; resolves with the console's URL. */
async function startDev(denoDir: string) {
  const { env, args } = await taskCommand("dev");
  const child = new Deno.Command("deno", {
    args,
    cwd: root,
    env: { ...env, SIGNING_SECRET: SECRET, PORT: "0", DENO_DIR: denoDir, NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  let output = "";
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  while (!/^Console: (\S+)$/m.test(output)) {
    const { done, value } = await reader.read();
    if (done) throw new Error(`the dev server printed no console URL:\n${output}`);
    output += value;
  }
  void (async () => {
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read());
  })();
  return { child, url: output.match(/^Console: (\S+)$/m)![1]! };
}

/** `deno task send <args>` to the dev server, as a developer runs it in another terminal. */
async function send(port: string, ...args: string[]): Promise<void> {
  const { code } = await new Deno.Command("deno", {
    args: ["task", "send", ...args],
    cwd: root,
    env: { SIGNING_SECRET: SECRET, PORT: port, NO_COLOR: "1" },
    stdout: "null",
    stderr: "null",
  }).output();
  assert.equal(code, 0, `deno task send ${args.join(" ")}`);
}

async function rowTexts(page: Page): Promise<string[]> {
  return await page.$$eval(
    "tbody tr",
    (rows) => rows.map((row) => (row as unknown as Shown).innerText),
  );
}

/** Waits until the table has more than `count` rows: a new one came without a reload. */
async function moreRowsThan(page: Page, count: number): Promise<void> {
  await page.waitForFunction(
    (count) => document.querySelectorAll("tbody tr").length > count,
    { timeout: 10_000 },
    count,
  );
}

/** Waits until an element's text holds `text`. */
async function textIn(page: Page, selector: string, text: string): Promise<string> {
  await page.waitForFunction(
    (selector, text) => document.querySelector(selector)?.textContent?.includes(text),
    { timeout: 10_000 },
    selector,
    text,
  );
  return await page.$eval(selector, (element) => (element as unknown as Shown).innerText);
}

const denoDir = await Deno.makeTempDir({ prefix: "console_browser_" });
const { child, url } = await startDev(denoDir);
const port = new URL(url).port;
const browser = await puppeteer.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 760 });
  await page.goto(url);
  await textIn(page, "#status", "Live");
  assert.deepEqual(await rowTexts(page), [], "the console did not start empty");

  // A call appears without a reload.
  await send(port, "organizations.changed");
  await moreRowsThan(page, 0);
  const [first] = await rowTexts(page);
  assert.match(first!, /events\.handle\s+organizations\.changed\s+evt_\w+\s+handled\s+200/);
  const eventId = first!.match(/evt_\w+/)![0];
  console.log(`row appeared live: ${eventId}`);

  // It opens with its body and the lines its handler logged.
  await page.click("tbody tr:nth-child(1)");
  await textIn(page, "#body", `"id": "${eventId}"`);
  const logs = await textIn(page, "#logs", " - Organization: ");
  assert.match(logs, /^ - Organization: org_\w+ Acme, Inc\.$/m);
  console.log("row opened with its body and logs");

  // Deliver again: a new row, a duplicate of the event already handled.
  await page.click("#again");
  await moreRowsThan(page, 1);
  const [again] = await rowTexts(page);
  assert.match(again!, new RegExp(`${eventId}\\s+duplicate\\s+200`));
  console.log("delivered again: duplicate");

  // A few more calls for the picture.
  await page.click("#again-new");
  await moreRowsThan(page, 2);
  await send(port, "users.changed");
  await send(port, "members.changed", "--bad-signature");
  await moreRowsThan(page, 4);
  await page.click("tbody tr:nth-child(2)");
  await textIn(page, "#body", "usersChanged");
  await Deno.mkdir(dirname(screenshot), { recursive: true });
  await page.screenshot({ path: screenshot as `${string}.png` });
  console.log(`screenshot: ${screenshot}`);
} finally {
  await browser.close();
  // As Ctrl+C does: Deno's watcher takes SIGTERM as a stop of the program, not of itself.
  child.kill("SIGINT");
  await child.status;
  await Deno.remove(denoDir, { recursive: true });
}

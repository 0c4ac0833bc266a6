/**
 * The delivery console in a real browser, as a developer uses it: starts
 * `main.ts` with the `dev` task's command, sends calls with `deno task send`,
 * opens the console in headless Chromium (Debian's `chromium`, driven by
 * `puppeteer-core`), and checks that the first paint shows the stored calls,
 * that a new row appears without a reload, that a row opens with its logs
 * before its body, that "Deliver again" adds a row marked as such and
 * selects it, that an event without a handler and a failed call (its stack
 * and logs before its body) show as such, and that "Start over" empties
 * the list. Saves a screenshot.
 * Every wait has a deadline, and a check that fails exits 1 with the reason.
 *
 * Usage, from this folder: `deno run … _browser_check.ts <screenshot.png>`
 *
 * @module
 */

import assert from "node:assert/strict";
import { dirname } from "node:path";
import puppeteer, { type EvaluateFunc, type HTTPRequest, type Page } from "puppeteer-core";
import { deliverWithoutHandler, type Dev, send, startDev, within } from "./_dev_server.ts";

/** The page's DOM, as the functions run in the browser use it. */
declare const document: {
  querySelectorAll(selector: string): ArrayLike<Shown>;
  querySelector(selector: string): Shown | null;
  getElementById(id: string): Shown | null;
  createRange(): { selectNodeContents(node: Shown): void; getClientRects(): ArrayLike<unknown> };
};
type Shown = {
  id: string;
  innerText: string;
  textContent: string | null;
  hidden: boolean;
  getAttribute(name: string): string | null;
};

const CHROMIUM = Deno.env.get("CHROMIUM") ?? "/usr/bin/chromium";
const screenshot = Deno.args[0] ?? "../../.test_kv/console.png";
/** Loaded before `main.ts`: makes the `flows.changed` handler throw. */
const FAILING_FLOWS = "tests/_failing_flows.ts";
/** How long any one thing the page does may take. */
const PAGE_MS = 10_000;

async function rowTexts(page: Page): Promise<string[]> {
  return await page.$$eval("tbody tr", (rows) => rows.map((row) => (row as Shown).innerText));
}

/** Waits until `test` holds in the page, or fails with `what` and the page's rows. */
async function until<A extends unknown[]>(
  page: Page,
  what: string,
  test: EvaluateFunc<A>,
  ...args: A
): Promise<void> {
  try {
    await page.waitForFunction(test, { timeout: PAGE_MS }, ...args);
  } catch (error) {
    const rows = await rowTexts(page).catch(() => []);
    throw new Error(`${what}: not so after ${PAGE_MS / 1000} s. Rows:\n${rows.join("\n")}`, {
      cause: error,
    });
  }
}

/** Waits until the table has more than `count` rows: a new one came without a reload. */
async function moreRowsThan(page: Page, count: number): Promise<void> {
  await until(
    page,
    `a row beyond the ${count} shown`,
    (count) => document.querySelectorAll("tbody tr").length > count,
    count,
  );
}

/** Waits until an element's text holds `text`, and returns its text. */
async function textIn(page: Page, selector: string, text: string): Promise<string> {
  await until(
    page,
    `${selector} showing "${text}"`,
    (selector, text) => document.querySelector(selector)?.textContent?.includes(text) === true,
    selector,
    text,
  );
  return await page.$eval(selector, (element) => (element as Shown).innerText);
}

/** Opens the console while its live connection is held back; checks the first paint. */
async function firstPaint(page: Page, url: string, stored: number): Promise<void> {
  // Every frame, whether "No calls yet" was visible: it must never be, with calls stored.
  await page.evaluateOnNewDocument(`
    globalThis.emptyShown = [];
    const look = () => {
      const empty = document.getElementById("empty");
      if (empty) globalThis.emptyShown.push(!empty.hidden);
      requestAnimationFrame(look);
    };
    requestAnimationFrame(look);
  `);
  await page.setRequestInterception(true);
  const held: { continue(): Promise<void> }[] = [];
  const hold = (request: HTTPRequest) => {
    if (new URL(request.url()).pathname === "/_console/events") held.push(request);
    else void request.continue();
  };
  page.on("request", hold);
  await within(PAGE_MS, `opening ${url}`, page.goto(url, { waitUntil: "domcontentloaded" }));
  const paint = await page.evaluate(() => ({
    rows: document.querySelectorAll("tbody tr").length,
    empty: document.getElementById("empty")!.hidden === false,
    status: document.getElementById("status")!.textContent,
  }));
  assert.deepEqual(paint, { rows: stored, empty: false, status: "Connecting…" }, "first paint");
  await within(PAGE_MS, "the page opening its live connection", async (signal) => {
    while (held.length === 0 && !signal.aborted) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  });
  page.off("request", hold);
  for (const request of held) await request.continue();
  await page.setRequestInterception(false);
  await textIn(page, "#status", "Live");
  const frames = await page.evaluate("globalThis.emptyShown") as boolean[];
  assert.ok(frames.length > 0 && !frames.includes(true), `"No calls yet" shown: ${frames}`);
  console.log(`first paint: ${stored} stored calls, before the live connection`);
}

/** The ids of the blocks of the open call, in order. */
async function preIds(page: Page): Promise<string[]> {
  return await page.$$eval("aside pre", (pres) => pres.map((pre) => (pre as Shown).id));
}

/** Whether every time in the list fits on one line. */
async function timesOnOneLine(page: Page): Promise<boolean> {
  return await page.evaluate(() =>
    Array.from(document.querySelectorAll("td.time")).every((cell) => {
      const range = document.createRange();
      range.selectNodeContents(cell);
      return range.getClientRects().length === 1;
    })
  );
}

async function check(dev: Dev, page: Page): Promise<void> {
  await send(dev.port, ["organizations.changed"]);
  await send(dev.port, ["members.changed", "--bad-signature"]);
  await firstPaint(page, dev.url, 2);

  // A call appears without a reload.
  await send(dev.port, ["organizations.changed"]);
  await moreRowsThan(page, 2);
  const [first] = await rowTexts(page);
  assert.match(first!, /events\.handle\s+organizations\.changed\s+evt_\w+\s+handled\s+200/);
  const eventId = first!.match(/evt_\w+/)![0];
  console.log(`row appeared live: ${eventId}`);

  // It opens with the lines its handler logged, before its body.
  await page.click("tbody tr:nth-child(1)");
  await textIn(page, "#body", `"id": "${eventId}"`);
  const logs = await textIn(page, "#logs", " - Organization: ");
  assert.match(logs, /^ - Organization: org_\w+ Acme, Inc\.$/m);
  const order = await preIds(page);
  assert.ok(order.indexOf("logs") < order.indexOf("body"), `logs after the body: ${order}`);
  console.log("row opened with its logs, then its body");

  // Deliver again: a new row, marked, selected, and opened; the live indicator stays.
  await page.click("#again");
  await moreRowsThan(page, 3);
  await until(page, "the row delivered again selected", () => {
    const row = document.querySelector("tbody tr:nth-child(1)");
    return row?.getAttribute("aria-selected") === "true";
  });
  const [again] = await rowTexts(page);
  assert.match(again!, new RegExp(`${eventId}\\s+duplicate\\s*again\\s+200`));
  assert.equal(await page.$$eval('tbody tr[aria-selected="true"]', (rows) => rows.length), 1);
  await textIn(page, "#delivery", "Delivered again: the receiver answered 200.");
  assert.equal(await page.$eval("#status", (status) => (status as Shown).textContent), "Live");
  assert.ok(await timesOnOneLine(page), "a time wraps with the details open");
  console.log("delivered again: duplicate, marked and selected");

  // Deliver again as a new event: handled, and marked so.
  await page.click("#again-new");
  await moreRowsThan(page, 4);
  assert.match(
    (await rowTexts(page))[0]!,
    /organizations\.changed\s+evt_\w+\s+handled\s*again, as new/,
  );

  // An event whose type has no handler: a warning of its own.
  await deliverWithoutHandler(dev.port, "widgets.changed");
  await moreRowsThan(page, 5);
  assert.match((await rowTexts(page))[0]!, /widgets\.changed\s+evt_\w+\s+no handler\s+200/);
  console.log("event without a handler: no handler");

  // A handler that throws (the preload makes flows.changed throw): its reason, its stack
  // and its logged lines come before its body.
  await send(dev.port, ["users.changed"]);
  await send(dev.port, ["flows.changed"], 1);
  await moreRowsThan(page, 7);
  await page.click("tbody tr:nth-child(1)");
  await textIn(page, "#reason", "flows are not wired up yet");
  await textIn(page, "#error", "Error: flows are not wired up yet\n    at ");
  await textIn(page, "#logs", "Handler failed for event");
  const failed = await preIds(page);
  assert.ok(
    failed.indexOf("error") < failed.indexOf("logs") &&
      failed.indexOf("logs") < failed.indexOf("body"),
    `not the error, the logs, then the body: ${failed}`,
  );
  console.log("failed call: reason, stack and logs before its body");

  // For the picture: the call delivered again as a new event, opened.
  await page.click("tbody tr:nth-child(4)");
  await textIn(page, "aside h2", "again, as new");
  await Deno.mkdir(dirname(screenshot), { recursive: true });
  await page.screenshot({ path: screenshot as `${string}.png` });
  console.log(`screenshot: ${screenshot}`);

  // Start over: every call forgotten, and the page says so.
  page.on("dialog", (dialog) => void dialog.accept());
  await page.click("#start-over");
  await textIn(page, "#notice", "Started over: forgot 8 calls");
  await until(page, "an empty list", () => document.querySelectorAll("tbody tr").length === 0);
  await textIn(page, "#empty", "No calls yet");
  console.log("started over: no calls");
}

const dev = await startDev(FAILING_FLOWS);
// Stopped from outside (the test's own deadline): no server left behind.
Deno.addSignalListener("SIGTERM", () => {
  dev.kill();
  Deno.exit(143);
});
try {
  const browser = await within(
    30_000,
    `starting ${CHROMIUM}`,
    puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      timeout: 30_000,
      // Over a pipe, Chromium ends with this process, however it ends.
      pipe: true,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    }),
  );
  try {
    const page = await browser.newPage();
    page.setDefaultTimeout(PAGE_MS);
    await page.setViewport({ width: 1280, height: 760 });
    await check(dev, page);
  } finally {
    await within(10_000, "closing Chromium", browser.close());
  }
} finally {
  await dev.stop();
}

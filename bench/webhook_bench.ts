/**
 * Micro-benchmark of one call through the public API, without HTTP (`deno
 * bench bench/`): a `Request` of the load benchmark's signed 1.6 KB event
 * (built anew each time, with its `Content-Length`, as `Deno.serve` gives
 * it), read with `request.bytes()` as the baseline; the floor's work in
 * process (read, `sign()` of `testing.ts`, `JSON.parse`, two lines); and
 * `Webhook.handleFromWeb()` with the template's handler and log lines kept in
 * memory rather than printed.
 *
 * @module
 */

import { line, type Logger, Webhook } from "../userhub/mod.ts";
import { sign } from "../userhub/testing.ts";
import { eventBody, SIGNING_SECRET } from "./http.ts";

const TIMESTAMP = 1_800_000_000;
const body = new TextEncoder().encode(eventBody("2LLkDJKdGvDCRh3JFsZQ9j"));
const signature = await sign(SIGNING_SECRET, TIMESTAMP, body);
const headers = {
  "content-type": "application/json",
  "content-length": String(body.length),
  "userhub-action": "events.handle",
  "userhub-timestamp": String(TIMESTAMP),
  "userhub-signature": signature,
};
const request = () =>
  new Request("http://127.0.0.1/webhook", { method: "POST", headers, body: body.slice() });

let lines: string[] = [];
const keep = (message: string) => void lines.push(message);
const logger: Logger = { info: keep, warn: keep, error: keep };
const webhook = new Webhook({ secret: SIGNING_SECRET, logger, now: () => TIMESTAMP * 1000 })
  .onEvents({
    "organizations.changed": (event) => {
      const { organization } = event.organizationsChanged;
      keep(line` - Organization: ${organization.id} ${organization.displayName}`);
    },
  });
const decoder = new TextDecoder();

Deno.bench("request.bytes()", { group: "call", baseline: true }, async () => {
  await request().bytes();
});
Deno.bench("floor: bytes, sign(), JSON.parse, two lines", { group: "call" }, async () => {
  const r = request();
  const bytes = await r.bytes();
  const expected = await sign(SIGNING_SECRET, r.headers.get("userhub-timestamp")!, bytes);
  if (expected !== r.headers.get("userhub-signature")) throw new Error("bad signature");
  const event = JSON.parse(decoder.decode(bytes));
  keep(`Event: ${event.type}`);
  const { organization } = event.organizationsChanged;
  keep(` - Organization: ${organization.id} ${organization.displayName}`);
  lines = [];
});
Deno.bench("Webhook.handleFromWeb()", { group: "call" }, async () => {
  const response = await webhook.handleFromWeb(request());
  if (response.status !== 200) throw new Error(`answered ${response.status}`);
  lines = [];
});

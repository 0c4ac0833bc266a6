/**
 * The app as `main.ts` serves it with `DEDUPE=off`, but with the body
 * deadline given as the first argument in milliseconds: what
 * `bench/slow_clients.ts` measures when it runs with a deadline shorter than
 * the 30 s of `deno task start`. Reads `SIGNING_SECRET` and `PORT`.
 *
 * @module
 */

import { createApp } from "../app/mod.ts";

const bodyTimeout = Number(Deno.args[0]);
if (!(bodyTimeout > 0)) throw new TypeError("Usage: slow_server.ts <body deadline in ms>");
const app = createApp({
  secrets: [Deno.env.get("SIGNING_SECRET") ?? ""],
  bodyTimeout,
});
Deno.serve({
  port: Number(Deno.env.get("PORT") ?? "8000"),
  onListen: ({ port }) => console.log(`Listening on http://127.0.0.1:${port}`),
}, app);

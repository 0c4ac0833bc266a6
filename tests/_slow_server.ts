/**
 * A server for the process tests that must kill one mid-handler: the app of
 * `main.ts` over the PostgreSQL store of `DEDUPE_STORE`, with a lease of
 * `LEASE_MS` and a `users.changed` handler that prints `Start: <user id>`,
 * waits `SLOW_MS` when the user id begins with `usr_slow`, then prints
 * ` - User: <user id>` as the template's handler does. Not for production.
 *
 * @module
 */

import { createApp } from "../app/mod.ts";
import { loadConfig } from "../config.ts";
import { openPostgresGuard } from "../dedupe/postgres.ts";

const config = loadConfig(Deno.env);
const guard = await openPostgresGuard(config.dedupeStore!, {
  lease: Number(Deno.env.get("LEASE_MS")),
  label: "DEDUPE_STORE",
});
const slow = Number(Deno.env.get("SLOW_MS"));
const app = createApp({
  secrets: config.secrets,
  guard,
  handlers: {
    "users.changed": async (event) => {
      const { id } = event.usersChanged.user;
      console.log(`Start: ${id}`);
      if (id.startsWith("usr_slow")) await new Promise((resolve) => setTimeout(resolve, slow));
      console.log(` - User: ${id}`);
    },
  },
});
Deno.serve({
  port: config.port,
  onListen: ({ port }) => console.log(`Listening on http://127.0.0.1:${port}`),
}, app);

/**
 * The server: reads the configuration from the environment and serves the
 * app with `Deno.serve`. Run it with `deno task start` (or `deno task dev`).
 *
 * @module
 */

import { createApp } from "./app.ts";
import { ConfigError, loadConfig } from "./config.ts";

export { type App, type AppOptions, createApp } from "./app.ts";

if (import.meta.main) {
  try {
    const config = loadConfig(Deno.env);
    Deno.serve({
      port: config.port,
      onListen: ({ port }) => console.log(`Listening on http://127.0.0.1:${port}`),
    }, createApp(config));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    Deno.exit(1);
  }
}

/**
 * Loaded with `deno run --preload` by the telemetry test: makes the
 * `flows.changed` handler of `handlers/mod.ts` throw, so that `main.ts` itself
 * shows a failing handler.
 *
 * @module
 */

import { handlers } from "../handlers/mod.ts";

(handlers as Record<string, unknown>)["flows.changed"] = () => {
  throw new Error("flows are not wired up yet");
};

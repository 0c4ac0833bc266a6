/**
 * Test fixtures of the duplicate check, for the tests of `userhub/` and of
 * the stores in `dedupe/`: a webhook over a delivery guard whose handlers
 * count their runs, and a guard whose store is down.
 *
 * @module
 */

import { type DeliveryGuard, type Event, Webhook } from "../userhub/mod.ts";
import { NOW_MS, recordingLogger, SECRET } from "./fixtures.ts";

/** A guard whose every operation throws, as a store that is down. */
export const brokenGuard: DeliveryGuard = {
  claim: () => Promise.reject(new Error("kv down")),
  complete: () => Promise.reject(new Error("kv down")),
  release: () => Promise.reject(new Error("kv down")),
  holdClaim: () => () => Promise.resolve(),
  rememberSigned: () => Promise.reject(new Error("kv down")),
};

/** A webhook over a guard, whose handlers count their runs. */
export function guardedWebhook(guard: DeliveryGuard, now: () => number = () => NOW_MS) {
  const logger = recordingLogger();
  const runs = { events: [] as Event[], actions: [] as string[] };
  const webhook = new Webhook({ secret: SECRET, now, logger, guard })
    .onEvent((event) => void runs.events.push(event))
    .onAction("users.delete", ({ id }) => {
      runs.actions.push(`users.delete ${id}`);
      return {};
    })
    .onAction("users.update", (user) => {
      runs.actions.push(`users.update ${user.id}`);
      return user;
    });
  return { webhook, runs, lines: logger.lines };
}

/**
 * The app the console's tests drive: the console on, over an in-memory KV,
 * called as from this machine.
 *
 * @module
 */

import { createApp } from "../app/mod.ts";
import { KvDeliveryGuard } from "../dedupe/mod.ts";
import { recordingLogger, SECRET, signedRequest } from "../tests/fixtures.ts";
import type { EventHandlers } from "../userhub/mod.ts";
import { CallRecorder, type CallSummary, DeliveryConsole } from "./mod.ts";

/** The connection of a loopback client. */
export const LOCAL: Deno.ServeHandlerInfo = {
  remoteAddr: { transport: "tcp", hostname: "127.0.0.1", port: 50000 },
  completed: Promise.resolve(),
};

/** An app with the console on, over `kv`; `flows.changed` fails the first time. */
export function consoleApp(kv: Deno.Kv) {
  let flowRuns = 0;
  const handlers: EventHandlers = {
    "organizations.changed": (event) =>
      console.log(`Saved ${event.organizationsChanged.organization.id}`),
    "flows.changed": () => {
      if (++flowRuns === 1) throw new Error("flows are not wired up yet");
    },
  };
  const app = createApp({
    secrets: [SECRET, "whsec_second"],
    guard: new KvDeliveryGuard(kv),
    handlers,
    logger: recordingLogger(),
    onError: () => {},
    console: new DeliveryConsole(new CallRecorder(kv), SECRET),
  });
  const local = async (path: string, init: RequestInit = {}) =>
    await app(new Request(`http://127.0.0.1:8000${path}`, init), LOCAL);
  const calls = async () => await (await local("/_console/calls")).json() as CallSummary[];
  const send = async (body: string, options: { action?: string; secret?: string } = {}) => {
    const timestamp = Math.floor(Date.now() / 1000);
    const response = await app(await signedRequest({ body, timestamp, ...options }));
    await response.body?.cancel();
    return response.status;
  };
  return { local, calls, send };
}

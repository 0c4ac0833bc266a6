/**
 * The server: reads the configuration from the environment, opens the Deno
 * KV store of the duplicate check, and serves the app with `Deno.serve`. Run
 * it with `deno task start` (or `deno task dev`).
 *
 * @module
 */

import { createApp } from "./app/mod.ts";
import { type Config, ConfigError, loadConfig } from "./config.ts";
import type { DeliveryConsole } from "./console/mod.ts";
import { KvDeliveryGuard } from "./dedupe/mod.ts";
import type { DeliveryGuard } from "./userhub/mod.ts";

export { type App, type AppOptions, createApp, type DeliveryConsole } from "./app/mod.ts";
export type { Config } from "./config.ts";

/**
 * Opens the Deno KV store where handled events are remembered: the file
 * `kvPath`, or Deno's default location for this program (which needs no file
 * permission). On Deno Deploy, the default is the KV database assigned to the
 * app.
 *
 * @param config `dedupe`, `kvPath` and `console`, as {@linkcode loadConfig} reads them.
 * @returns The store, or `undefined` when neither the duplicate check nor the
 * delivery console needs one.
 * @throws {ConfigError} When KV is not enabled, or the file cannot be opened.
 */
export async function openStore(
  config: Pick<Config, "dedupe" | "kvPath" | "console">,
): Promise<Deno.Kv | undefined> {
  const needed = config.dedupe !== false || config.console;
  if (!needed) return undefined;
  if (typeof Deno.openKv !== "function") {
    throw new ConfigError(
      "Deno KV is not enabled: run with --unstable-kv (the tasks in deno.json enable it), " +
        "or set DEDUPE=off (and leave DEV_CONSOLE off) to run without it",
    );
  }
  const path = config.kvPath;
  try {
    return await Deno.openKv(path);
  } catch (error) {
    if (path !== undefined && error instanceof Deno.errors.NotCapable) {
      throw new ConfigError(
        `KV_PATH ${JSON.stringify(path)} needs permission for that file only: ` +
          `run with --allow-read=${path} --allow-write=${path}`,
      );
    }
    const where = path === undefined
      ? "Deno's default location"
      : `KV_PATH ${JSON.stringify(path)}`;
    throw new ConfigError(
      `Cannot open Deno KV at ${where}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

function describeDedupe(config: Pick<Config, "dedupe" | "kvPath">): string {
  if (config.dedupe === false) {
    return "Duplicate check off (DEDUPE=off): every delivery runs its handler";
  }
  const where = config.kvPath === undefined ? "Deno's default location" : config.kvPath;
  return `Duplicate check on: handled events are remembered in Deno KV (${where})`;
}

const STOP_SIGNALS = ["SIGTERM", "SIGINT"] as const;
/** How long calls in progress get to finish after a stop signal. */
export const STOP_DEADLINE_MS = 25_000;

/**
 * Stops the server gracefully on SIGTERM (a platform stopping it, or
 * `deno task dev` reloading) and SIGINT (Ctrl+C): calls in progress finish
 * and are answered, the KV store is closed, and the process exits normally
 * once nothing is left to do, with every log line written. A second signal
 * exits at once (143, or 130 for SIGINT); so does a stop that takes longer
 * than {@linkcode STOP_DEADLINE_MS} (1), with its lines written too.
 *
 * @param server The running server.
 * @param kv The KV store, if open.
 * @param deliveryConsole The delivery console, if on: its live pages are let go first.
 */
export function stopOnSignals(
  server: Deno.HttpServer,
  kv?: Deno.Kv,
  deliveryConsole?: DeliveryConsole,
): void {
  let stopping = false;
  const stop = (signal: Deno.Signal) => {
    if (stopping) Deno.exit(signal === "SIGINT" ? 130 : 143);
    stopping = true;
    console.log(`Stopping (${signal}): finishing the calls in progress`);
    const deadline = setTimeout(() => {
      console.error(`Stopped after ${STOP_DEADLINE_MS / 1000} s with calls still in progress`);
      Deno.exit(1);
    }, STOP_DEADLINE_MS);
    // The deadline only ends a stop that is stuck; it keeps nothing running.
    Deno.unrefTimer(deadline);
    deliveryConsole?.close();
    void server.shutdown().finally(() => {
      clearTimeout(deadline);
      kv?.close();
      for (const [name, listener] of listeners) Deno.removeSignalListener(name, listener);
    });
  };
  const listeners = STOP_SIGNALS.map((name) => [name, () => stop(name)] as const);
  for (const [name, listener] of listeners) {
    try {
      Deno.addSignalListener(name, listener);
    } catch {
      // No signals here (a platform without them ends the process itself).
    }
  }
}

async function openConsole(kv: Deno.Kv, config: Config): Promise<DeliveryConsole> {
  const { CallRecorder, DeliveryConsole } = await import("./console/mod.ts");
  return new DeliveryConsole(new CallRecorder(kv), config.secrets[0]!);
}

/**
 * The duplicate check's store, as the configuration chooses it.
 *
 * @param config `dedupe` and `console`, as {@linkcode loadConfig} reads them.
 * @param kv The KV store {@linkcode openStore} opened.
 * @returns The guard, or `undefined` when the duplicate check is off.
 */
export function openGuard(
  config: Pick<Config, "dedupe" | "console">,
  kv: Deno.Kv | undefined,
): DeliveryGuard | undefined {
  if (config.dedupe === false || kv === undefined) return undefined;
  // The console's "Start over" clears the store: nothing may be remembered beside it.
  return new KvDeliveryGuard(kv, config.console ? { memory: 0 } : {});
}

/**
 * The line that says where the server listens: the interface's address, and
 * for every interface, the address to use from this machine.
 */
function listeningLine(addr: Deno.NetAddr, config: Pick<Config, "hostname">): string {
  const url = `http://${bracketed(addr.hostname)}:${addr.port}`;
  if (config.hostname !== undefined) return `Listening on ${url}`;
  return `Listening on ${url} (every interface; HOSTNAME picks one), ${localUrl(addr)} here`;
}

/** The server's URL from this machine. */
function localUrl(addr: Deno.NetAddr): string {
  const host = addr.hostname === "0.0.0.0"
    ? "127.0.0.1"
    : addr.hostname === "::"
    ? "::1"
    : addr.hostname;
  return `http://${bracketed(host)}:${addr.port}`;
}

function bracketed(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}

if (import.meta.main) {
  try {
    const config = loadConfig(Deno.env);
    const kv = await openStore(config);
    // The console is loaded only when switched on.
    const deliveryConsole = kv && config.console ? await openConsole(kv, config) : undefined;
    const guard = openGuard(config, kv);
    const app = createApp({
      secrets: config.secrets,
      ...(guard && { guard }),
      ...(deliveryConsole && { console: deliveryConsole }),
    });
    const server = Deno.serve({
      port: config.port,
      ...(config.hostname !== undefined && { hostname: config.hostname }),
      onListen: (addr) => {
        console.log(listeningLine(addr, config));
        if (deliveryConsole) console.log(`Console: ${localUrl(addr)}/_console`);
        console.log(describeDedupe(config));
      },
    }, app);
    stopOnSignals(server, kv, deliveryConsole);
  } catch (error) {
    if (error instanceof Deno.errors.AddrInUse) {
      console.error(
        `PORT ${
          Deno.env.get("PORT") ?? "8000"
        } is already in use: stop the other server, or set PORT`,
      );
      Deno.exit(1);
    }
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    Deno.exit(1);
  }
}

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
import { redactUrl } from "./dedupe/postgres_url.ts";
import type { DeliveryGuard } from "./userhub/mod.ts";

export { type App, type AppOptions, createApp, type DeliveryConsole } from "./app/mod.ts";
export type { Config } from "./config.ts";

/**
 * Opens the Deno KV store where handled events are remembered: the file
 * `kvPath`, or Deno's default location for this program (which needs no file
 * permission). On Deno Deploy, the default is the KV database assigned to the
 * app.
 *
 * @param config `dedupe`, `dedupeStore`, `kvPath` and `console`, as {@linkcode loadConfig} reads them.
 * @returns The store, or `undefined` when neither the duplicate check (unless
 * it is in PostgreSQL) nor the delivery console needs one.
 * @throws {ConfigError} When KV is not enabled, or the file cannot be opened.
 */
export async function openStore(
  config: Pick<Config, "dedupe" | "dedupeStore" | "kvPath" | "console">,
): Promise<Deno.Kv | undefined> {
  const needed = (config.dedupe !== false && config.dedupeStore === undefined) || config.console;
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

function describeDedupe(config: Pick<Config, "dedupe" | "dedupeStore" | "kvPath">): string {
  if (config.dedupe === false) {
    return "Duplicate check off (DEDUPE=off): every delivery runs its handler";
  }
  if (config.dedupeStore !== undefined) {
    return `Duplicate check on: handled events are remembered in PostgreSQL (${
      redactUrl(config.dedupeStore)
    })`;
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
 * and are answered, the stores are closed, and the process exits normally
 * once nothing is left to do, with every log line written. A second signal
 * exits at once (143, or 130 for SIGINT); so does a stop that takes longer
 * than {@linkcode STOP_DEADLINE_MS} (1), with its lines written too.
 *
 * @param server The running server.
 * @param kv The KV store, if open.
 * @param deliveryConsole The delivery console, if on: its live pages are let go first.
 * @param store The PostgreSQL store, if open: closed (its connections ended) last.
 */
export function stopOnSignals(
  server: Deno.HttpServer,
  kv?: Deno.Kv,
  deliveryConsole?: DeliveryConsole,
  store?: { close(): Promise<void> },
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
    void server.shutdown().then(() => store?.close()).catch(() => {}).finally(() => {
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
 * The duplicate check's store, as the configuration chooses it: PostgreSQL
 * when `DEDUPE_STORE` is set (its client loaded only then), Deno KV otherwise.
 *
 * @param config `dedupe`, `dedupeStore` and `console`, as {@linkcode loadConfig} reads them.
 * @param kv The KV store {@linkcode openStore} opened.
 * @returns The guard and what closes it, or `undefined` when the duplicate check is off.
 * @throws {ConfigError} When the database cannot be reached, refuses the
 * credentials, or its tables cannot be created: one line, without the password.
 */
export async function openGuard(
  config: Pick<Config, "dedupe" | "dedupeStore" | "console">,
  kv: Deno.Kv | undefined,
): Promise<{ guard: DeliveryGuard; close?: () => Promise<void> } | undefined> {
  if (config.dedupe === false) return undefined;
  if (config.dedupeStore !== undefined) {
    const { openPostgresGuard, StoreOpenError } = await import("./dedupe/postgres.ts");
    try {
      const guard = await openPostgresGuard(config.dedupeStore, {
        label: "DEDUPE_STORE",
        ...(config.console && { memory: 0 }),
      });
      return { guard, close: () => guard.close() };
    } catch (error) {
      if (error instanceof StoreOpenError) throw new ConfigError(error.message);
      throw error;
    }
  }
  if (kv === undefined) return undefined;
  // The console's "Start over" clears the store: nothing may be remembered beside it.
  return { guard: new KvDeliveryGuard(kv, config.console ? { memory: 0 } : {}) };
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
    const store = await openGuard(config, kv);
    // The console is loaded only when switched on.
    const deliveryConsole = kv && config.console ? await openConsole(kv, config) : undefined;
    const app = createApp({
      secrets: config.secrets,
      ...(store && { guard: store.guard }),
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
    stopOnSignals(server, kv, deliveryConsole, store?.close && { close: store.close });
  } catch (error) {
    const listening = cannotListen(error);
    if (listening !== undefined) {
      console.error(listening);
      Deno.exit(1);
    }
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    Deno.exit(1);
  }
}

/** Why the server cannot listen where PORT and HOSTNAME say, as one line; `undefined` for another error. */
function cannotListen(error: unknown): string | undefined {
  const read = (name: string) => {
    try {
      return Deno.env.get(name);
    } catch {
      return undefined; // Not granted: unset, as loadConfig reads it.
    }
  };
  const port = read("PORT") ?? "8000";
  const host = read("HOSTNAME");
  const where = `PORT ${port}${host ? ` on HOSTNAME ${JSON.stringify(host)}` : ""}`;
  if (error instanceof Deno.errors.AddrInUse) {
    return `${where} is already in use: stop the other server, or set PORT`;
  }
  if (error instanceof Deno.errors.PermissionDenied) {
    return `${where} needs privileges this process lacks: use a port above 1023`;
  }
  if (error instanceof Deno.errors.AddrNotAvailable) {
    return `Cannot listen on ${where}: no interface of this machine has that address`;
  }
  if (error instanceof Error && /failed to lookup address/.test(error.message)) {
    return `Cannot listen on ${where}: the name does not resolve`;
  }
  return undefined;
}

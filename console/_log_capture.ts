/**
 * The lines a call logged while it was handled, for the delivery console:
 * `console` keeps printing (and exporting, with OpenTelemetry on) as before,
 * and each line is also kept for the call whose work printed it.
 *
 * @module
 */

import { AsyncLocalStorage } from "node:async_hooks";

/** The most lines kept of one call. */
const MAX_LINES = 100;
/** The most characters kept of one line. */
const MAX_LINE = 2000;

const METHODS = ["log", "info", "debug", "warn", "error"] as const;
const calls = new AsyncLocalStorage<string[]>();
let installed = false;

/**
 * Runs `work`, keeping every line it logs through `console`, its own and
 * that of the code it awaits.
 *
 * @param work The call's handling.
 * @returns What `work` returned, and the lines.
 */
export async function captureLogs<T>(
  work: () => Promise<T>,
): Promise<{ result: T; lines: string[] }> {
  install();
  const lines: string[] = [];
  const result = await calls.run(lines, work);
  return { result, lines };
}

/** Makes each console method also keep its line for the call it runs in, once. */
function install(): void {
  if (installed) return;
  installed = true;
  const target = console as unknown as Record<string, (...args: unknown[]) => void>;
  for (const name of METHODS) {
    const print = target[name]!.bind(console);
    target[name] = (...args: unknown[]) => {
      print(...args);
      const lines = calls.getStore();
      if (lines === undefined || lines.length >= MAX_LINES) return;
      const text = args.map((arg) => typeof arg === "string" ? arg : Deno.inspect(arg)).join(" ");
      lines.push(text.length > MAX_LINE ? `${text.slice(0, MAX_LINE)}…` : text);
    };
  }
}

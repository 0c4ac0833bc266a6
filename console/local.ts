/**
 * Who may see the delivery console: the developer's own machine only.
 *
 * @module
 */

const LOOPBACK_NAMES = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);

/**
 * Whether a request comes from this machine and names it: a loopback peer,
 * and a `Host` of `localhost` or a loopback address (so that a web page
 * whose name is made to point at 127.0.0.1 cannot read the console).
 *
 * @param request The request.
 * @param info The connection, as `Deno.serve` gives it; none for a request made in code.
 * @returns Whether the console may answer it.
 *
 * @example
 * ```ts
 * import { isLocal } from "./local.ts";
 *
 * const request = new Request("http://127.0.0.1:8000/_console");
 * const remoteAddr = { transport: "tcp" as const, hostname: "127.0.0.1", port: 50000 };
 * console.assert(isLocal(request, { remoteAddr, completed: Promise.resolve() }));
 * console.assert(!isLocal(request, undefined));
 * ```
 */
export function isLocal(request: Request, info: Deno.ServeHandlerInfo | undefined): boolean {
  const peer = info?.remoteAddr;
  if (peer === undefined || !("hostname" in peer) || !isLoopback(peer.hostname)) return false;
  const host = new URL(request.url).hostname;
  return LOOPBACK_NAMES.has(host) || isLoopback(host);
}

function isLoopback(address: string): boolean {
  const ip = address.replace(/^\[|\]$/g, "").replace(/^::ffff:/i, "");
  return ip === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(ip);
}

/**
 * Who may see the delivery console: the developer's own machine only.
 *
 * @module
 */

const LOOPBACK_NAMES = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);
const FORWARDED = [
  "forwarded",
  "x-forwarded-for",
  "x-forwarded-host",
  "x-real-ip",
  "cf-connecting-ip",
];

/**
 * Whether a request comes from this machine and names it: a loopback peer,
 * a `Host` of `localhost` or a loopback address (so that a web page whose
 * name is made to point at 127.0.0.1 cannot read the console), and no
 * header of a proxy or tunnel that forwarded it.
 *
 * @param request The request.
 * @param info The connection, as `Deno.serve` gives it; none for a request made in code.
 * @returns Whether the console may answer it.
 *
 * @example
 * ```ts
 * import { isLocal } from "./_local.ts";
 *
 * const request = new Request("http://127.0.0.1:8000/_console");
 * const remoteAddr = { transport: "tcp" as const, hostname: "127.0.0.1", port: 50000 };
 * console.assert(isLocal(request, { remoteAddr, completed: Promise.resolve() }));
 * console.assert(!isLocal(request, undefined));
 * ```
 */
export function isLocal(request: Request, info: Deno.ServeHandlerInfo | undefined): boolean {
  // A tunnel or a proxy on this machine is a loopback peer too: what it forwards is not local.
  if (FORWARDED.some((name) => request.headers.has(name))) return false;
  const peer = info?.remoteAddr;
  if (peer === undefined || !("hostname" in peer) || !isLoopback(peer.hostname)) return false;
  const host = new URL(request.url).hostname;
  return LOOPBACK_NAMES.has(host) || isLoopback(host);
}

function isLoopback(address: string): boolean {
  const ip = address.replace(/^\[|\]$/g, "").replace(/^::ffff:/i, "");
  return ip === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(ip);
}

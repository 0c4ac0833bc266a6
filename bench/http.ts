/**
 * Raw HTTP/1.1 for the load benchmark: requests signed as UserHub signs
 * them, and one request sent on a fresh connection for its status.
 *
 * @module
 */

import { createHmac } from "node:crypto";
import { largeOrganizationsChangedBody, organizationsChangedBody } from "./fixture.ts";

/** The secret every server of the benchmark is started with and every request signed with. */
export const SIGNING_SECRET = "whsec_bench_0123456789abcdef";

const encoder = new TextEncoder();

function signature(timestamp: string, body: string): string {
  return createHmac("sha256", SIGNING_SECRET).update(`${timestamp}.${body}`).digest("hex");
}

/** A raw POST /webhook of `body`, signed now; `extra` holds more header lines. */
export function signedRequest(port: number, action: string, body: string, extra = ""): string {
  const timestamp = String(Math.floor(Date.now() / 1000));
  return `POST /webhook HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n` +
    `UserHub-Action: ${action}\r\nUserHub-Timestamp: ${timestamp}\r\n` +
    `UserHub-Signature: ${signature(timestamp, body)}\r\n` +
    `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n${extra}\r\n${body}`;
}

/** The body of the benchmark's event, an `organizations.changed` with id `evt_<id>`. */
export function eventBody(id: string): string {
  return organizationsChangedBody(`evt_${id}`);
}

/** Which event a run sends: the 1.6 KB one, or the 256 KiB one. */
export type EventSize = "small" | "large";

/** A signed `events.handle` request carrying the event with id `evt_<id>`, of `size`. */
export function eventRequest(port: number, id: string, size: EventSize = "small"): string {
  const body = size === "large" ? largeOrganizationsChangedBody(`evt_${id}`) : eventBody(id);
  return signedRequest(port, "events.handle", body);
}

/**
 * The body of the challenge that `bench/load.lua` sends once every event of
 * a run was sent (a connection must send something): every server answers it
 * with 2xx (the project, the floor and the peers echo it, the baseline answers
 * `{}`), and the script does not count the echo among the answered events.
 */
export const FILLER_BODY = JSON.stringify({ challenge: "bench-filler" });

/** The signed filler challenge, signed now. */
export function fillerRequest(port: number): string {
  return signedRequest(port, "challenge", FILLER_BODY);
}

/** A signed `challenge` request that closes its connection: the readiness probe. */
export function challengeRequest(port: number): Uint8Array {
  const challenge = JSON.stringify({ challenge: "bench-cold-start" });
  return encoder.encode(signedRequest(port, "challenge", challenge, "Connection: close\r\n"));
}

/** Writes every byte of `bytes` to `conn`. */
export async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let offset = 0; offset < bytes.length;) offset += await conn.write(bytes.subarray(offset));
}

/** Reads the status code of an HTTP/1.1 response; undefined if the connection ends first. */
export async function readStatus(conn: Deno.Conn): Promise<number | undefined> {
  const buffer = new Uint8Array(256);
  let text = "";
  while (!text.includes("\r\n")) {
    const n = await conn.read(buffer);
    if (n === null) return undefined;
    text += new TextDecoder().decode(buffer.subarray(0, n));
    if (text.length > 4096) return undefined;
  }
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(text);
  return match ? Number(match[1]) : undefined;
}

/** Sends one request on a fresh connection; the status, or undefined if refused. */
export async function send(port: number, request: Uint8Array): Promise<number | undefined> {
  let conn: Deno.Conn;
  try {
    conn = await Deno.connect({ hostname: "127.0.0.1", port });
  } catch {
    return undefined;
  }
  try {
    await writeAll(conn, request);
    return await readStatus(conn);
  } catch {
    return undefined;
  } finally {
    conn.close();
  }
}

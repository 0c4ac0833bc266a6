/**
 * The hostile uploads check of the load benchmark: concurrent 100 MB bodies
 * to /webhook, with a `Content-Length` and then chunked, each of which the
 * server must refuse with 413 while its peak RSS grows by at most 64 MiB.
 *
 * @module
 */

import { challengeRequest, readStatus, send, writeAll } from "./http.ts";
import { memoryMiB, resetPeakRss } from "./machine.ts";
import { type Server, startServer, stopServer, type Subject, takePort } from "./servers.ts";
import { format } from "./table.ts";

const UPLOAD_BYTES = 100 * 1000 * 1000;
const UPLOAD_LIMIT_MIB = 64;
const encoder = new TextEncoder();

/** What one kind of upload got: the answers, the growth of peak RSS and the verdict. */
export interface UploadResult {
  label: string;
  statuses: string;
  growthMiB: number;
  sentMiB: number;
  ok: boolean;
}

/** Pushes a 100 MB body at /webhook; the status the server answered, and how much it sent. */
export async function upload(
  port: number,
  chunked: boolean,
  chunk: Uint8Array,
): Promise<{ status: number | undefined; sentMiB: number }> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const head = `POST /webhook HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n` +
    `UserHub-Action: events.handle\r\nUserHub-Timestamp: ${Math.floor(Date.now() / 1000)}\r\n` +
    `UserHub-Signature: ${"0".repeat(64)}\r\nContent-Type: application/json\r\n` +
    (chunked ? "Transfer-Encoding: chunked\r\n\r\n" : `Content-Length: ${UPLOAD_BYTES}\r\n\r\n`);
  const chunkHead = encoder.encode(`${chunk.length.toString(16)}\r\n`);
  const crlf = encoder.encode("\r\n");
  let sent = 0;
  const status = readStatus(conn).catch(() => undefined);
  try {
    await writeAll(conn, encoder.encode(head));
    while (sent < UPLOAD_BYTES) {
      const piece = chunk.subarray(0, Math.min(chunk.length, UPLOAD_BYTES - sent));
      if (chunked) {
        const size = piece.length === chunk.length
          ? chunkHead
          : encoder.encode(`${piece.length.toString(16)}\r\n`);
        await writeAll(conn, size);
      }
      await writeAll(conn, piece);
      if (chunked) await writeAll(conn, crlf);
      sent += piece.length;
    }
    if (chunked) await writeAll(conn, encoder.encode("0\r\n\r\n"));
  } catch {
    // The server closed the connection after refusing the body: expected.
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const answered = await Promise.race([
    status,
    new Promise<undefined>((resolve) => timer = setTimeout(() => resolve(undefined), 30_000)),
  ]);
  clearTimeout(timer);
  conn.close();
  return { status: answered, sentMiB: sent / 1024 / 1024 };
}

/** `count` concurrent uploads of one kind, then a challenge to see the server still answers. */
async function uploadAll(server: Server, chunked: boolean, count: number): Promise<UploadResult> {
  const chunk = new Uint8Array(64 * 1024).fill(0x20);
  const base = resetPeakRss(server.pid)
    ? memoryMiB(server.pid, "VmRSS")
    : memoryMiB(server.pid, "VmHWM");
  const answers = await Promise.all(
    Array.from({ length: count }, () => upload(server.port, chunked, chunk)),
  );
  const growthMiB = memoryMiB(server.pid, "VmHWM") - base;
  const counts = new Map<string, number>();
  for (const { status } of answers) {
    const key = String(status ?? "none");
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const alive = await send(server.port, challengeRequest(server.port));
  return {
    label: chunked ? "chunked, no length" : "Content-Length: 100 MB",
    statuses: [...counts].map(([status, n]) => `${n}× ${status}`).join(", ") +
      (alive === 200 ? "" : `; then a challenge got ${alive ?? "no answer"}`),
    growthMiB,
    sentMiB: Math.max(...answers.map((answer) => answer.sentMiB)),
    ok: answers.every((answer) => answer.status === 413) && growthMiB <= UPLOAD_LIMIT_MIB &&
      alive === 200,
  };
}

/** Starts the server and sends it `count` uploads with a length, then `count` chunked. */
export async function hostileUploads(
  subject: Subject,
  count: number,
  pin: string[],
  dir: string,
): Promise<UploadResult[]> {
  const server = await startServer(subject, pin, dir, takePort());
  try {
    return [await uploadAll(server, false, count), await uploadAll(server, true, count)];
  } finally {
    await stopServer(server);
  }
}

/** The line that introduces the check, with its limits. */
export function uploadsHeading(count: number): string {
  return `Hostile uploads: ${count} concurrent 100 MB bodies to /webhook ` +
    `(limit: every one refused with 413, peak RSS growth ≤ ${UPLOAD_LIMIT_MIB} MiB)`;
}

/** The line of one kind of upload: verdict, answers, growth of peak RSS, bytes sent. */
export function uploadLine(result: UploadResult): string {
  return `  ${result.label.padEnd(24)} ${
    result.ok ? "ok    " : "FAILED"
  } answers: ${result.statuses}; ` +
    `peak RSS +${format(result.growthMiB, 1)} MiB; client got to send ${
      format(result.sentMiB, 1)
    } MiB before the server closed`;
}

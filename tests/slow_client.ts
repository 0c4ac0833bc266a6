/**
 * A slow client over raw TCP: it sends a `POST /webhook` head, then its body
 * a byte at a time, reads the answer, and tells whether and when the server
 * closed the connection. Shared by `body_deadline_test.ts` and
 * `bench/slow_clients.ts`.
 *
 * @module
 */

/** What a slow client sends, and for how long it waits. */
export interface SlowClientOptions {
  /** The server's port on 127.0.0.1. */
  port: number;
  /** The body's size; its head says so with `Content-Length` unless `chunked`. */
  bytes: number;
  /** Milliseconds between two bytes of the body; the first goes with the head. */
  everyMs: number;
  /** Sends the body chunked, a byte per chunk, then the last chunk. */
  chunked?: boolean;
  /** Stops sending once answered, and waits with the connection open. */
  stopWhenAnswered?: boolean;
  /** Milliseconds after connecting when the client closes the connection itself. */
  maxMs: number;
}

/** What a slow client saw; every time is in milliseconds from connecting. */
export interface SlowClientResult {
  /** The status of the answer; undefined when none came. */
  status: number | undefined;
  /** Whether the answer said `connection: close`. */
  connectionClose: boolean;
  answeredMs: number | undefined;
  /** When the server closed the connection (end of stream, or a reset); undefined if it did not. */
  closedMs: number | undefined;
  /** When the last byte of the body went out; undefined if it did not. */
  sentAllMs: number | undefined;
}

const encoder = new TextEncoder();

/** Connects, trickles the body, and reads until the server closes or `maxMs` pass. */
export async function slowClient(options: SlowClientOptions): Promise<SlowClientResult> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: options.port });
  const started = performance.now();
  const since = () => performance.now() - started;
  const result: SlowClientResult = {
    status: undefined,
    connectionClose: false,
    answeredMs: undefined,
    closedMs: undefined,
    sentAllMs: undefined,
  };
  const length = options.chunked
    ? "Transfer-Encoding: chunked"
    : `Content-Length: ${options.bytes}`;
  let done = false;
  const send = async (text: string) => {
    await conn.write(encoder.encode(text));
  };
  const byte = options.chunked ? "1\r\n \r\n" : " ";
  const writer = (async () => {
    try {
      await send(`POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\n${length}\r\n\r\n${byte}`);
      for (let sent = 1; sent < options.bytes; sent++) {
        await sleep(options.everyMs);
        if (done || (options.stopWhenAnswered && result.status !== undefined)) return;
        await send(byte);
      }
      if (options.chunked) await send("0\r\n\r\n");
      result.sentAllMs = since();
    } catch {
      // The server closed the connection.
    }
  })();
  await readAnswer(conn, result, since, options.maxMs);
  done = true;
  conn.close();
  await writer;
  return result;
}

/** Reads the answer's head into `result`, then until the end of the stream or `maxMs`. */
async function readAnswer(
  conn: Deno.Conn,
  result: SlowClientResult,
  since: () => number,
  maxMs: number,
): Promise<void> {
  const buffer = new Uint8Array(4096);
  let head = "";
  while (since() < maxMs) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const read = await Promise.race([
      conn.read(buffer).catch(() => null),
      new Promise<"waited">((resolve) =>
        timer = setTimeout(() => resolve("waited"), maxMs - since())
      ),
    ]);
    clearTimeout(timer);
    if (read === "waited") return;
    if (read === null) {
      result.closedMs = since();
      return;
    }
    if (result.status !== undefined || head.length > 65_536) continue;
    head += new TextDecoder().decode(buffer.subarray(0, read));
    const end = head.indexOf("\r\n\r\n");
    if (end < 0) continue;
    result.answeredMs = since();
    result.status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]) || undefined;
    result.connectionClose = /^connection: *close\r?$/im.test(head.slice(0, end));
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

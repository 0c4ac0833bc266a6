/**
 * Driving a server with `wrk` and `bench/load.lua`: files of pre-signed
 * requests, a run that lasts until every request was answered, and what
 * makes a run count as failed.
 *
 * @module
 */

const LUA = new URL("./load.lua", import.meta.url).pathname;
const encoder = new TextEncoder();

/** What `bench/load.lua` reports at the end of a wrk run. */
export interface WrkResult {
  requests: number;
  durationUs: number;
  non2xx: number;
  connectErrors: number;
  readErrors: number;
  writeErrors: number;
  timeouts: number;
  p50Us: number;
  p99Us: number;
}

/**
 * Writes the filler, then `count` requests, the i-th from `request(i)`, in
 * the format of `bench/load.lua` (8 digits of length, then the bytes) to
 * `<path>.1`, the file of wrk's one thread.
 */
export async function writeRequestFile(
  path: string,
  filler: string,
  count: number,
  request: (index: number) => string,
): Promise<void> {
  const file = await Deno.open(`${path}.1`, { write: true, create: true, truncate: true });
  const writer = file.writable.getWriter();
  let batch = String(filler.length).padStart(8, "0") + filler;
  for (let i = 0; i < count; i++) {
    const text = request(i);
    batch += String(text.length).padStart(8, "0") + text;
    if (batch.length > 1 << 20) {
      await writer.write(encoder.encode(batch));
      batch = "";
    }
  }
  await writer.write(encoder.encode(batch));
  await writer.close();
}

/**
 * Runs wrk until `count` requests from the file at `path` were answered:
 * each request of the file in turn, or with `repeat` its one request `count`
 * times. wrk itself only stops at the end of its `-d` duration, so the script
 * prints WRK_DONE when the last answer came and this sends it SIGINT, on
 * which wrk reports the time actually taken.
 */
export async function runWrk(
  pin: string[],
  port: number,
  path: string,
  count: number,
  connections: number,
  repeat = false,
): Promise<WrkResult> {
  const args = [
    "-t1",
    `-c${Math.min(connections, count)}`,
    "-d600s",
    "--timeout",
    "10s",
    "-s",
    LUA,
    `http://127.0.0.1:${port}/webhook`,
    "--",
    path,
    String(count),
    repeat ? "repeat" : "each",
  ];
  const child = new Deno.Command(pin[0] ?? "wrk", {
    args: [...pin.slice(1), ...(pin.length ? ["wrk"] : []), ...args],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  let stdout = "";
  const decoder = new TextDecoder();
  for await (const chunk of child.stdout) {
    stdout += decoder.decode(chunk, { stream: true });
    if (stdout.includes("WRK_DONE\n") && !stdout.includes("WRK_RESULT ")) {
      try {
        child.kill("SIGINT");
      } catch {
        // Exited already.
      }
    }
  }
  const status = await child.status;
  const line = stdout.split("\n").find((l) => l.startsWith("WRK_RESULT "));
  if (line === undefined) {
    throw new Error(`wrk failed (exit ${status.code}):\n${stdout}\n${await stderr}`);
  }
  await stderr;
  return JSON.parse(line.slice("WRK_RESULT ".length));
}

/** Why a wrk run failed (non-2xx, socket errors, unanswered requests); undefined if it did not. */
export function wrkFailure(result: WrkResult, expected: number): string | undefined {
  const problems = [];
  if (result.non2xx > 0) problems.push(`${result.non2xx} non-2xx`);
  const errors = result.connectErrors + result.readErrors + result.writeErrors + result.timeouts;
  if (errors > 0) problems.push(`${errors} socket errors or timeouts`);
  if (result.requests < expected) problems.push(`${result.requests} of ${expected} answered`);
  return problems.length ? problems.join(", ") : undefined;
}

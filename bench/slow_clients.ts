/**
 * The slow clients benchmark: rounds of slow clients, each sending its body
 * a byte a second over raw TCP, against the server as a process; then one
 * 100 MB chunked upload. It prints, per round, the 408s received, the time to
 * each, the connections the server closed, its RSS while the bodies are
 * pending (and so the KiB each pending body holds) and after the round; then,
 * on a new server, the upload's answer and the growth of peak RSS it caused.
 *
 * With `--deadline-ms=30000` (the default deadline) the server is `main.ts`
 * run with the `start` task's command; with a shorter deadline it is
 * `bench/slow_server.ts`, the same app with that deadline. `DEDUPE=off`.
 *
 * Run it with `deno run -A bench/slow_clients.ts [--clients=300] [--rounds=3]
 * [--deadline-ms=3000] [--body-bytes=N]`; `--help` tells more.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { slowClient, type SlowClientResult } from "../tests/slow_client.ts";
import { challengeRequest, send, SIGNING_SECRET } from "./http.ts";
import { memoryMiB, resetPeakRss } from "./machine.ts";
import { PROJECT_ROOT, takePort } from "./servers.ts";
import { startTaskCommand } from "./subjects.ts";
import { upload } from "./uploads.ts";

const HELP = `Usage: deno run -A bench/slow_clients.ts [options]

  --clients=N       slow clients per round (default 300)
  --rounds=N        rounds (default 3; 0 runs the upload only)
  --deadline-ms=N   the body deadline; 30000 runs main.ts itself (default 3000)
  --body-bytes=N    each body's size, sent a byte a second; by default the body
                    ends 3 s after the deadline, so that the server can close
  --upload=0        skips the 100 MB chunked upload
  -h, --help        print this help
`;

/** The default deadline of `main.ts`: with it, the benchmark runs `main.ts` itself. */
const MAIN_DEADLINE_MS = 30_000;

/** The figures of one round. */
interface Round {
  results: SlowClientResult[];
  /** RSS before the clients connected, while their bodies were pending, and after. */
  before: number;
  pending: number;
  after: number;
}

function options() {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      help: { type: "boolean", short: "h" },
      clients: { type: "string", default: "300" },
      rounds: { type: "string", default: "3" },
      "deadline-ms": { type: "string", default: "3000" },
      "body-bytes": { type: "string" },
      upload: { type: "string", default: "1" },
    },
  });
  if (values.help) {
    console.log(HELP);
    Deno.exit(0);
  }
  const deadline = Number(values["deadline-ms"]);
  const number = (name: string, value: string, least: number) => {
    if (!/^\d+$/.test(value) || Number(value) < least) {
      console.error(`Invalid option --${name}: "${value}" is not a whole number ≥ ${least}`);
      Deno.exit(2);
    }
    return Number(value);
  };
  number("deadline-ms", values["deadline-ms"], 100);
  return {
    clients: number("clients", values.clients, 1),
    rounds: number("rounds", values.rounds, 0),
    deadline,
    bodyBytes: values["body-bytes"] === undefined
      ? Math.ceil(deadline / 1000) + 3
      : number("body-bytes", values["body-bytes"], 2),
    upload: values.upload !== "0",
  };
}

/** Starts the server, its output to files in `dir`; resolves once it answers a signed challenge. */
async function startServer(deadline: number, dir: string) {
  const port = takePort();
  const command = deadline === MAIN_DEADLINE_MS
    ? startTaskCommand()
    : `deno run --allow-net --allow-env=SIGNING_SECRET,PORT bench/slow_server.ts ${deadline}`;
  const child = new Deno.Command("sh", {
    args: ["-c", `exec ${command} >${dir}/server.out 2>${dir}/server.err`],
    cwd: PROJECT_ROOT,
    env: { SIGNING_SECRET, PORT: String(port), DEDUPE: "off", NO_COLOR: "1" },
    stdin: "null",
  }).spawn();
  for (const started = Date.now(); Date.now() - started < 30_000;) {
    if (await send(port, challengeRequest(port)) === 200) return { child, port, command };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill("SIGKILL");
  throw new Error(`The server did not answer within 30 s: see ${dir}/server.err`);
}

/** One round: every client at once; RSS sampled before, at 90 % of the deadline, and after. */
async function round(pid: number, port: number, count: number, deadline: number, bytes: number) {
  const before = memoryMiB(pid, "VmRSS");
  const maxMs = deadline + bytes * 1000 + 5_000;
  const clients = Array.from(
    { length: count },
    () => slowClient({ port, bytes, everyMs: 1000, maxMs }),
  );
  await new Promise((resolve) => setTimeout(resolve, deadline * 0.9));
  const pending = memoryMiB(pid, "VmRSS");
  const results = await Promise.all(clients);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  return { results, before, pending, after: memoryMiB(pid, "VmRSS") };
}

function spread(values: number[]): string {
  if (values.length === 0) return "none";
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return `${(at(0) / 1000).toFixed(2)} / ${(at(0.5) / 1000).toFixed(2)} / ${
    (at(1) / 1000).toFixed(2)
  } s`;
}

function roundLines(index: number, count: number, r: Round): string[] {
  const answered = r.results.filter((result) => result.status === 408);
  const closing = answered.filter((result) => result.connectionClose);
  const closed = r.results.filter((result) => result.closedMs !== undefined);
  const afterBody = closed.flatMap((result) =>
    result.sentAllMs === undefined ? [] : [result.closedMs! - result.sentAllMs]
  );
  const others = r.results.length - answered.length;
  return [
    `Round ${index + 1}: ${answered.length}/${count} answered 408` +
    (others ? ` (${others} otherwise)` : "") + `, ${closing.length} with connection: close`,
    `  time to 408 (min / median / max): ${spread(answered.map((x) => x.answeredMs!))}`,
    `  closed by the server: ${closed.length}/${count}; after the body's last byte: ${
      spread(afterBody)
    }`,
    `  RSS ${r.before.toFixed(1)} MiB before, ${r.pending.toFixed(1)} pending (${
      ((r.pending - r.before) * 1024 / count).toFixed(1)
    } KiB per pending body), ${r.after.toFixed(1)} after`,
  ];
}

async function stop(child: Deno.ChildProcess): Promise<void> {
  child.kill("SIGKILL");
  await child.status;
}

/** One 100 MB chunked upload; its status and the growth of peak RSS over RSS before it. */
async function chunkedUpload(pid: number, port: number) {
  const base = resetPeakRss(pid) ? memoryMiB(pid, "VmRSS") : memoryMiB(pid, "VmHWM");
  const { status, sentMiB } = await upload(port, true, new Uint8Array(64 * 1024).fill(0x20));
  return { status, sentMiB, growth: memoryMiB(pid, "VmHWM") - base };
}

if (import.meta.main) {
  const { clients, rounds, deadline, bodyBytes, upload: withUpload } = options();
  const dir = await Deno.makeTempDir({ prefix: "slow_clients_" });
  const server = await startServer(deadline, dir);
  console.log(`Server: ${server.command} (pid ${server.child.pid}), output in ${dir}`);
  console.log(
    `${rounds} rounds of ${clients} clients, each sending a ${bodyBytes}-byte body with ` +
      `Content-Length, a byte a second; body deadline ${deadline / 1000} s`,
  );
  try {
    const afters: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const r = await round(server.child.pid, server.port, clients, deadline, bodyBytes);
      for (const line of roundLines(i, clients, r)) console.log(line);
      afters.push(r.after);
    }
    const growth = afters.at(-1)! - afters[0]!;
    if (rounds > 0) {
      console.log(
        `RSS after each round: ${afters.map((x) => x.toFixed(1)).join(", ")} MiB ` +
          `(last minus first ${growth >= 0 ? "+" : ""}${growth.toFixed(1)} MiB)`,
      );
    }
  } finally {
    await stop(server.child);
  }
  if (withUpload) {
    // On a server of its own: memory freed by the rounds would hide its growth.
    const fresh = await startServer(deadline, dir);
    try {
      const u = await chunkedUpload(fresh.child.pid, fresh.port);
      console.log(
        `100 MB chunked upload, to a new server: answered ${u.status ?? "nothing"}, peak RSS +${
          u.growth.toFixed(1)
        } MiB; the client got to send ${u.sentMiB.toFixed(1)} MiB`,
      );
    } finally {
      await stop(fresh.child);
    }
  }
}

/**
 * The duplicate check's two stores side by side, without HTTP: claim and
 * complete of new events, and claims of one event repeated, on Deno KV (a
 * file in a temporary directory) and on PostgreSQL (a throwaway local
 * cluster, PostgreSQL's default durability: fsync and synchronous commit on,
 * the store's default pool of 4 connections), one delivery at a time and 32
 * at once, in interleaved rounds. Both guards run in this process, as in a
 * server; the PostgreSQL server shares the machine's cores.
 *
 * ```sh
 * deno run -A bench/postgres_store.ts [--rounds=5] [--events=1000]
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";
import { openPostgresGuard } from "../dedupe/postgres.ts";
import { PG_BIN, startCluster } from "../tests/postgres_cluster.ts";
import type { DeliveryGuard } from "../userhub/mod.ts";
import { KvDeliveryGuard } from "../dedupe/mod.ts";
import { format, median } from "./table.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    rounds: { type: "string", default: "5" },
    events: { type: "string", default: "1000" },
  },
});
const ROUNDS = Number(values.rounds);
const EVENTS = Number(values.events);
const TTL = 600_000;

/** A way to use a guard: new events, or one event repeated, with or without memory. */
interface Scenario {
  key: string;
  label: string;
  memory: boolean;
  /** One delivery, the `i`-th of the run. */
  deliver(guard: DeliveryGuard, run: string, i: number): Promise<void>;
}

const SCENARIOS: Scenario[] = [
  {
    key: "new",
    label: "every event new: claim + complete",
    memory: true,
    deliver: async (guard, run, i) => {
      const id = `evt_${run}_${i}`;
      const claim = await guard.claim(id, { digest: `d_${id}`, action: "events.handle", ttl: TTL });
      if (claim.status !== "claimed") throw new Error(`${id}: ${claim.status}`);
      await guard.complete(id);
    },
  },
  {
    key: "repeat",
    label: "one event repeated, same bytes (memory)",
    memory: true,
    deliver: (guard) => expectDone(guard, "d_seen"),
  },
  {
    key: "store",
    label: "one event repeated, memory off (the store's answer)",
    memory: false,
    deliver: (guard) => expectDone(guard, "d_seen"),
  },
];

async function expectDone(guard: DeliveryGuard, digest: string): Promise<void> {
  const claim = await guard.claim("evt_seen", { digest, action: "events.handle", ttl: TTL });
  if (claim.status !== "done") throw new Error(`evt_seen: ${claim.status}`);
}

/** Runs `count` deliveries with `width` in flight; the time per delivery, in µs. */
async function measure(
  guard: DeliveryGuard,
  scenario: Scenario,
  run: string,
  width: number,
): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < EVENTS) await scenario.deliver(guard, run, next++);
  }));
  return (performance.now() - start) * 1000 / EVENTS;
}

/** Each store's guards: with and without memory, the seen event recorded. */
async function openStores(pgUrl: string, kvPath: string) {
  const kv = await Deno.openKv(kvPath);
  const pg = await openPostgresGuard(pgUrl);
  const pgNoMemory = await openPostgresGuard(pgUrl, { memory: 0 });
  const stores = {
    kv: { on: new KvDeliveryGuard(kv), off: new KvDeliveryGuard(kv, { memory: 0 }) },
    pg: { on: pg, off: pgNoMemory },
  };
  for (const { on } of Object.values(stores)) {
    await on.claim("evt_seen", { digest: "d_seen", action: "events.handle", ttl: TTL });
    await on.complete("evt_seen");
  }
  const close = async () => {
    await Promise.all([pg.close(), pgNoMemory.close()]);
    kv.close();
  };
  return { stores, close };
}

if (import.meta.main) {
  try {
    await Deno.stat(`${PG_BIN}/initdb`);
  } catch {
    console.log(
      `PostgreSQL store benchmark skipped: no ${PG_BIN}/initdb (apt-get install postgresql)`,
    );
    Deno.exit(0);
  }
  const cluster = await startCluster({ durable: true });
  const dir = await Deno.makeTempDir({ prefix: "kv_bench_" });
  const { stores, close } = await openStores(cluster.url, `${dir}/kv.sqlite3`);
  const results = new Map<string, number[]>();
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      for (const scenario of SCENARIOS) {
        for (const width of [1, 32]) {
          // Interleaved: KV then PostgreSQL, swapped every other round.
          const order = round % 2 ? (["kv", "pg"] as const) : (["pg", "kv"] as const);
          for (const store of order) {
            const guard = stores[store][scenario.memory ? "on" : "off"];
            const run = `r${round}_${store}_${width}`;
            const us = await measure(guard, scenario, run, width);
            const key = `${scenario.key} ${width} ${store}`;
            results.set(key, [...(results.get(key) ?? []), us]);
          }
        }
      }
      console.log(`round ${round} of ${ROUNDS} done`);
    }
  } finally {
    await close();
    await cluster.stop();
    await Deno.remove(dir, { recursive: true });
  }
  printTable(results);
}

/** The table: µs per delivery and deliveries/s, medians (min–max) over the rounds. */
function printTable(results: Map<string, number[]>): void {
  const cell = (us: number[]) =>
    `${format(median(us), 1)} (${format(Math.min(...us), 1)}–${format(Math.max(...us), 1)})`;
  const rate = (us: number[]) => format(1e6 / median(us), 0);
  console.log(
    `\n${EVENTS} deliveries per run, ${ROUNDS} rounds; µs per delivery, median (min–max)\n`,
  );
  console.log("| scenario | in flight | Deno KV µs | KV /s | PostgreSQL µs | PG /s | PG ÷ KV |");
  console.log("| --- | --: | --: | --: | --: | --: | --: |");
  for (const scenario of SCENARIOS) {
    for (const width of [1, 32]) {
      const kv = results.get(`${scenario.key} ${width} kv`)!;
      const pg = results.get(`${scenario.key} ${width} pg`)!;
      const ratio = format(median(pg) / median(kv), 2);
      console.log(
        `| ${scenario.label} | ${width} | ${cell(kv)} | ${rate(kv)} | ${cell(pg)} | ${
          rate(pg)
        } | ×${ratio} |`,
      );
    }
  }
}

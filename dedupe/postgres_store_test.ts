/**
 * {@linkcode PostgresDeliveryGuard} against a real PostgreSQL, a throwaway
 * cluster that the test starts and removes: the semantics every store shares
 * (`_guard_cases.ts`), then what is PostgreSQL's own: one statement for a new
 * event, instances with their own pools racing, the removal of expired rows,
 * and opening the store.
 *
 * @module
 */

import assert from "node:assert/strict";
import { NOW_MS, testClock } from "../tests/fixtures.ts";
import { type Cluster, freePort, startCluster } from "../tests/postgres_cluster.ts";
import { guardCases } from "./_guard_cases.ts";
import {
  type ConnectOptions,
  connectPostgres,
  openPostgresGuard,
  PostgresDeliveryGuard,
  type PostgresDeliveryGuardOptions,
  StoreOpenError,
} from "./postgres.ts";

const signed = (digest: string, action = "events.handle") => ({ digest, action, ttl: 600_000 });

/** Guards over one database, each with its own pool (a server instance), all closed at once. */
function instances(cluster: Cluster) {
  const open: PostgresDeliveryGuard[] = [];
  return {
    async guard(options: PostgresDeliveryGuardOptions = {}, connect: ConnectOptions = {}) {
      const sql = await connectPostgres(cluster.url, { max: 4, ...connect });
      const guard = new PostgresDeliveryGuard(sql, { ...options, onClose: () => sql.end() });
      open.push(guard);
      return guard;
    },
    close: () => Promise.all(open.splice(0).map((guard) => guard.close())).then(() => {}),
  };
}

Deno.test("PostgresDeliveryGuard against a real PostgreSQL", async (t) => {
  const cluster = await startCluster();
  const admin = await connectPostgres(cluster.url, { max: 1 });
  try {
    await (await openPostgresGuard(cluster.url)).close(); // Creates the tables.
    const empty = () => admin`TRUNCATE userhub_dedupe_events, userhub_dedupe_signed`;

    await t.step("has the semantics every store shares", async (t) => {
      await guardCases(t, async () => {
        await empty();
        return instances(cluster);
      });
    });

    await t.step("claims a new event in one statement; a repeat it knows takes none", async () => {
      await empty();
      const sent: string[] = [];
      const pool = instances(cluster);
      try {
        const guard = await pool.guard({}, { debug: (_, query) => void sent.push(query) });
        assert.equal((await guard.claim("evt_1", signed("d1"))).status, "claimed");
        assert.equal(sent.length, 1);
        await guard.complete("evt_1");
        assert.equal(sent.length, 2);
        assert.deepEqual(await guard.claim("evt_1", signed("d1")), { status: "done" });
        assert.equal(sent.length, 2, "the same bytes again are answered from memory");
        // A redelivery signed anew: one statement records its bytes and finds the event done.
        assert.deepEqual(await guard.claim("evt_1", signed("d2")), { status: "done" });
        assert.equal(sent.length, 3);
        assert.deepEqual(await guard.claim("evt_1", signed("d2", "users.delete")), {
          status: "replayed",
          action: "events.handle",
        });
        assert.equal(sent.length, 3);
      } finally {
        await pool.close();
      }
    });

    await t.step("sends the claims and done marks that wait together, odd ids too", async () => {
      await empty();
      const sent: string[] = [];
      const pool = instances(cluster);
      try {
        const guard = await pool.guard({ flights: 1 }, {
          debug: (_, query) => void sent.push(query),
        });
        const ids = Array.from({ length: 30 }, (_, i) => `evt_${i} "{a,b}" \\ 'x' NULL é`);
        const claims = await Promise.all(
          [...ids, ...ids].map((id, i) => guard.claim(id, signed(`d${i}`))),
        );
        assert.equal(claims.filter((claim) => claim.status === "claimed").length, 30);
        assert.equal(claims.filter((claim) => claim.status === "busy").length, 30);
        assert.ok(sent.length < 60 / 2, `${sent.length} statements for 60 claims`);
        sent.length = 0;
        await Promise.all(ids.map((id) => guard.complete(id)));
        assert.ok(sent.length < 30 / 2, `${sent.length} statements for 30 done marks`);
        const [row] = await admin`
          SELECT count(*)::int AS done FROM userhub_dedupe_events
           WHERE id = ANY(${ids}::text[]) AND state = 'done'`;
        assert.equal(row!.done, 30);
      } finally {
        await pool.close();
      }
    });

    await t.step("gives each of 100 events to one of two instances racing on them", async () => {
      await empty();
      const pool = instances(cluster);
      try {
        const guards = [await pool.guard(), await pool.guard()];
        const claims = Array.from({ length: 400 }, (_, i) => {
          const event = `evt_${i % 100}`;
          return guards[i % 2]!.claim(event, signed(`d${i % 100}_${i % 3}`));
        });
        const results = await Promise.all(claims);
        const count = (status: string) => results.filter((r) => r.status === status).length;
        assert.equal(count("claimed"), 100);
        assert.equal(count("busy"), 300);
      } finally {
        await pool.close();
      }
    });

    await t.step("lets one of many instances take over an expired claim", async () => {
      await empty();
      const pool = instances(cluster);
      try {
        const first = await pool.guard({ now: () => NOW_MS });
        assert.equal((await first.claim("evt_1", signed("d0"))).status, "claimed");
        const later = () => NOW_MS + 60_000;
        const guards = await Promise.all(
          [1, 2, 3].map(() => pool.guard({ now: later, memory: 0 })),
        );
        const results = await Promise.all(
          Array.from({ length: 30 }, (_, i) => guards[i % 3]!.claim("evt_1", signed(`d${i}`))),
        );
        assert.equal(results.filter((result) => result.status === "claimed").length, 1);
      } finally {
        await pool.close();
      }
    });

    await t.step("deletes expired rows in batches, live ones kept, once a minute", async () => {
      await empty();
      await admin`
        INSERT INTO userhub_dedupe_events (id, state, token, expires_at)
        SELECT 'old_' || i, 'done', NULL, ${new Date(NOW_MS)}::timestamptz - i * interval '1 s'
          FROM generate_series(1, 2500) AS i`;
      await admin`
        INSERT INTO userhub_dedupe_signed (digest, action, expires_at)
        SELECT 'old_' || i, 'events.handle', ${new Date(NOW_MS)}::timestamptz
          FROM generate_series(1, 1200) AS i`;
      const pool = instances(cluster);
      try {
        const clock = testClock();
        const guard = await pool.guard({ now: clock.now });
        await guard.claim("evt_live", signed("d_live"));
        // At most two batches of 1,000 per table: 2,000 events, all 1,200 signed requests.
        assert.equal(await guard.deleteExpired(1000, 2), 3200);
        // A minute on, a claim starts the removal of the rest in the background.
        clock.advance(60_000);
        await guard.claim("evt_2", signed("d2"));
        await guard.close();
        const [rows] = await admin`
          SELECT (SELECT count(*) FROM userhub_dedupe_events)::int AS events,
                 (SELECT count(*) FROM userhub_dedupe_signed)::int AS signed`;
        // evt_live's claim expired with its 60 s lease, its signed request (600 s) did not.
        assert.deepEqual({ ...rows }, { events: 1, signed: 2 });
      } finally {
        await pool.close();
      }
    });

    await t.step("fails at once when the database is unreachable", async () => {
      const sql = await connectPostgres(`postgres://webhooks:x@127.0.0.1:${freePort()}/webhooks`);
      const guard = new PostgresDeliveryGuard(sql, { onClose: () => sql.end() });
      try {
        await assert.rejects(guard.claim("evt_1", signed("d1")), /ECONNREFUSED/);
        await assert.rejects(guard.complete("evt_1"), /ECONNREFUSED/);
      } finally {
        await guard.close();
      }
    });

    await t.step("open creates the tables once, with servers starting together", async () => {
      await admin`DROP TABLE userhub_dedupe_events, userhub_dedupe_signed`;
      const guards = await Promise.all([1, 2, 3].map(() => openPostgresGuard(cluster.url)));
      await Promise.all(guards.map((guard) => guard.close()));
      const [row] = await admin`
        SELECT to_regclass('userhub_dedupe_events') IS NOT NULL AS events,
               to_regclass('userhub_dedupe_signed') IS NOT NULL AS signed`;
      assert.deepEqual({ ...row }, { events: true, signed: true });
    });

    await t.step("open fails with one line, password hidden", async () => {
      const open = async (url: string) => {
        const error = await openPostgresGuard(url, { label: "DEDUPE_STORE" }).then(
          () => assert.fail(`opened ${url}`),
          (error: unknown) => error,
        );
        assert.ok(error instanceof StoreOpenError, String(error));
        assert.equal(error.message.split("\n").length, 1, error.message);
        for (const secret of ["s3cret", "wrong-pw", cluster.password]) {
          assert.ok(!error.message.includes(secret), error.message);
        }
        return error.message;
      };
      const url = new URL(cluster.url);
      assert.equal(
        await open("postgres://webhooks:wrong-pw@/webhooks"),
        'DEDUPE_STORE "postgres://webhooks:***@/webhooks" is not a valid PostgreSQL URL: ' +
          "it does not parse as a URL (use postgres://user:password@host:5432/database)",
      );
      const port = freePort();
      assert.equal(
        await open(`postgres://webhooks:wrong-pw@127.0.0.1:${port}/webhooks`),
        `Cannot connect to DEDUPE_STORE "postgres://webhooks:***@127.0.0.1:${port}/webhooks": ` +
          `connect ECONNREFUSED 127.0.0.1:${port}`,
      );
      url.password = "wrong-pw";
      assert.equal(
        await open(url.href),
        `Cannot connect to DEDUPE_STORE "postgres://webhooks:***@127.0.0.1:${cluster.port}/webhooks": ` +
          'password authentication failed for user "webhooks"',
      );
    });
  } finally {
    await admin.end();
    await cluster.stop();
  }
});

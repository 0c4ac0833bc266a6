import assert from "node:assert/strict";
import { type KvWrite, KvWriteBatcher } from "./_kv_batch.ts";

/** A fresh in-memory KV whose commits are counted, closed when the test ends. */
async function withKv(
  fn: (kv: Deno.Kv, commits: { count: number; refused: number }) => Promise<void>,
) {
  const kv = await Deno.openKv(":memory:");
  const commits = { count: 0, refused: 0 };
  const atomic = kv.atomic.bind(kv);
  kv.atomic = () => {
    const operation = atomic();
    const commit = operation.commit.bind(operation);
    operation.commit = () => {
      commits.count++;
      return commit().catch((error) => {
        commits.refused++;
        throw error;
      });
    };
    return operation;
  };
  try {
    await fn(kv, commits);
  } finally {
    kv.close();
  }
}

/** Claims a key: sets it only if it does not exist. */
function claim(id: string, value: unknown = "claimed"): KvWrite {
  return {
    checks: [{ key: ["event", id], versionstamp: null }],
    sets: [{ key: ["event", id], value }],
  };
}

Deno.test("KvWriteBatcher commits writes that arrive together in few commits", async () => {
  await withKv(async (kv, commits) => {
    const batcher = new KvWriteBatcher(kv);
    const ids = Array.from({ length: 40 }, (_, i) => `evt_${i}`);
    const results = await Promise.all(ids.map((id) => batcher.write(claim(id))));
    assert.ok(results.every((ok) => ok === true));
    // The first is committed at once, the other 39 together while it runs.
    assert.equal(commits.count, 2);
    for (const id of ids) assert.equal((await kv.get(["event", id])).value, "claimed");
  });
});

Deno.test("KvWriteBatcher fails only the write whose own check fails", async () => {
  await withKv(async (kv) => {
    await kv.set(["event", "taken"], "earlier");
    const batcher = new KvWriteBatcher(kv);
    const results = await Promise.all([
      batcher.write(claim("first")),
      batcher.write(claim("a")),
      batcher.write(claim("taken")),
      batcher.write(claim("b")),
    ]);
    assert.deepEqual(results, [true, true, false, true]);
    assert.equal((await kv.get(["event", "taken"])).value, "earlier");
    assert.equal((await kv.get(["event", "a"])).value, "claimed");
    assert.equal((await kv.get(["event", "b"])).value, "claimed");
  });
});

Deno.test("KvWriteBatcher never puts two writes of one key in a batch: one claim of many wins", async () => {
  await withKv(async (kv) => {
    const batcher = new KvWriteBatcher(kv);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => batcher.write(claim(i % 2 ? "same" : `other_${i}`, i))),
    );
    const winners = results.filter((ok, i) => ok && i % 2 === 1);
    assert.equal(winners.length, 1);
    assert.ok(results.every((ok, i) => ok || i % 2 === 1));
  });
});

Deno.test("KvWriteBatcher keeps each commit within Deno KV's 100 checks", async () => {
  await withKv(async (kv, commits) => {
    const batcher = new KvWriteBatcher(kv);
    const twoChecks = (id: string): KvWrite => ({
      checks: [{ key: ["event", id], versionstamp: null }, {
        key: ["signed", id],
        versionstamp: null,
      }],
      sets: [{ key: ["event", id], value: 1, expireIn: 60_000 }, { key: ["signed", id], value: 1 }],
    });
    const results = await Promise.all(
      Array.from({ length: 151 }, (_, i) => batcher.write(twoChecks(`evt_${i}`))),
    );
    assert.ok(results.every((ok) => ok === true));
    // 1 alone, then 150 in batches of 50.
    assert.equal(commits.count, 4);
    await assert.rejects(
      batcher.write({ checks: Array(101).fill(twoChecks("x").checks[0]), sets: [] }),
    );
  });
});

Deno.test("KvWriteBatcher rejects the writes of a store that fails, and recovers with it", async () => {
  await withKv(async (kv) => {
    const batcher = new KvWriteBatcher(kv);
    const atomic = kv.atomic.bind(kv);
    kv.atomic = () => {
      const operation = atomic();
      operation.commit = () => Promise.reject(new Error("disk full"));
      return operation;
    };
    const results = await Promise.allSettled([
      batcher.write(claim("a")),
      batcher.write(claim("b")),
      batcher.write(claim("c")),
    ]);
    assert.deepEqual(results.map((result) => result.status), ["rejected", "rejected", "rejected"]);
    kv.atomic = atomic;
    assert.equal(await batcher.write(claim("a")), true);
  });
});

Deno.test("KvWriteBatcher finds one failed check among 100 in halves, not write by write", async () => {
  await withKv(async (kv, commits) => {
    await kv.set(["event", "taken"], "earlier");
    const batcher = new KvWriteBatcher(kv);
    const ids = ["first", ...Array.from({ length: 100 }, (_, i) => i === 60 ? "taken" : `e${i}`)];
    const results = await Promise.all(ids.map((id) => batcher.write(claim(id))));
    assert.deepEqual(results, ids.map((id) => id !== "taken"));
    // 1 alone, the failed batch of 100, then about two commits per halving.
    assert.ok(commits.count <= 20, `${commits.count} commits`);
  });
});

Deno.test("KvWriteBatcher keeps each commit within Deno KV's 80 KiB of keys", async () => {
  await withKv(async (kv, commits) => {
    const batcher = new KvWriteBatcher(kv);
    const long = (i: number) => `evt_${String(i).padStart(4, "0")}_${"x".repeat(246)}`;
    // Plain sets, as done marks are: no check bounds the batch, only the size of the keys.
    const results = await Promise.all(
      Array.from(
        { length: 400 },
        (_, i) => batcher.write({ checks: [], sets: [{ key: ["event", long(i)], value: "done" }] }),
      ),
    );
    assert.ok(results.every((ok) => ok === true));
    assert.equal(commits.refused, 0, "a commit went over the store's limits");
    assert.ok(commits.count <= 4, `${commits.count} commits`);
    await assert.rejects(
      new KvWriteBatcher(kv, { keyBytes: 100 }).write(claim(long(0))),
      RangeError,
    );
  });
});

Deno.test("KvWriteBatcher goes write by write when both halves of a failed batch fail", async () => {
  await withKv(async (kv, commits) => {
    const ids = Array.from({ length: 100 }, (_, i) => `e${i}`);
    for (const id of ids) await kv.set(["event", id], "earlier");
    const batcher = new KvWriteBatcher(kv);
    commits.count = 0;
    const results = await Promise.all(["first", ...ids].map((id) => batcher.write(claim(id))));
    assert.deepEqual(results, [true, ...ids.map(() => false)]);
    // 1 alone, the failed batch of 100, its two failed halves, then 100 one by one.
    assert.equal(commits.count, 104);
  });
});

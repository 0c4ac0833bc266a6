/**
 * {@linkcode StatementBatcher}: statements in flight up to the limit, the
 * items that wait meanwhile together in the next, never a key twice in one.
 *
 * @module
 */

import assert from "node:assert/strict";
import { StatementBatcher } from "./_postgres_batch.ts";

/** A batcher whose statements wait until released, recording each batch. */
function gated(flights: number, size = 100) {
  const batches: string[][] = [];
  const gates: (() => void)[] = [];
  const batcher = new StatementBatcher(async (items: string[]) => {
    batches.push(items);
    await new Promise<void>((resolve) => gates.push(resolve));
    if (items.includes("fail")) throw new Error("statement failed");
    return items.map((item) => item.toUpperCase());
  }, { flights, size, keys: (item) => [item.split(":")[0]!] });
  const release = async () => {
    await new Promise((resolve) => setTimeout(resolve, 0));
    gates.splice(0).forEach((open) => open());
    await new Promise((resolve) => setTimeout(resolve, 0));
  };
  return { batcher, batches, release };
}

Deno.test("StatementBatcher sends at once while flights are free, then what waited together", async () => {
  const { batcher, batches, release } = gated(2);
  const results = ["a", "b", "c", "d", "e"].map((item) => batcher.run(item));
  assert.deepEqual(batches, [["a"], ["b"]]);
  await release();
  assert.deepEqual(batches, [["a"], ["b"], ["c", "d", "e"]]);
  await release();
  assert.deepEqual(await Promise.all(results), ["A", "B", "C", "D", "E"]);
});

Deno.test("StatementBatcher keeps items with a key in common apart, and batches to the size", async () => {
  const { batcher, batches, release } = gated(1, 3);
  const results = ["x", "a:1", "b", "a:2", "c", "d", "a:3"].map((item) => batcher.run(item));
  await release();
  assert.deepEqual(batches.slice(1), [["a:1", "b", "c"]]);
  await release();
  assert.deepEqual(batches.slice(2), [["a:2", "d"]]);
  await release();
  await release();
  assert.deepEqual(batches.slice(3), [["a:3"]]);
  assert.deepEqual(await Promise.all(results), ["X", "A:1", "B", "A:2", "C", "D", "A:3"]);
});

Deno.test("StatementBatcher fails every item of a statement that fails, and goes on", async () => {
  const { batcher, release } = gated(1);
  const first = batcher.run("first");
  const failing = ["fail", "other"].map((item) =>
    batcher.run(item).then(() => "ran", (error: Error) => error.message)
  );
  await release();
  await release();
  assert.equal(await first, "FIRST");
  assert.deepEqual(await Promise.all(failing), ["statement failed", "statement failed"]);
  const after = batcher.run("after");
  await release();
  assert.equal(await after, "AFTER");
});

import assert from "node:assert/strict";
import { BoundedCache } from "./bounded_cache.ts";

Deno.test("BoundedCache answers a value until its time, then forgets it", () => {
  const cache = new BoundedCache<string>(10);
  cache.set("a", "x", 1000);
  assert.equal(cache.get("a", 0), "x");
  assert.equal(cache.get("a", 999), "x");
  assert.equal(cache.get("a", 1000), undefined);
  assert.equal(cache.size, 0);
  assert.equal(cache.get("b", 0), undefined);
});

Deno.test("BoundedCache keeps at most its capacity, dropping the oldest added", () => {
  const cache = new BoundedCache<number>(3);
  for (let i = 0; i < 5; i++) cache.set(`k${i}`, i, 1000);
  assert.equal(cache.size, 3);
  assert.equal(cache.get("k0", 0), undefined);
  assert.equal(cache.get("k1", 0), undefined);
  assert.equal(cache.get("k4", 0), 4);
  // Setting a key again makes it the newest.
  cache.set("k2", 22, 1000);
  cache.set("k5", 5, 1000);
  assert.equal(cache.get("k2", 0), 22);
  assert.equal(cache.get("k3", 0), undefined);
});

Deno.test("BoundedCache with no capacity keeps nothing", () => {
  const cache = new BoundedCache<number>(0);
  cache.set("a", 1, 1000);
  assert.equal(cache.get("a", 0), undefined);
});

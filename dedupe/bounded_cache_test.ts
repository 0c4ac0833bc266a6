import assert from "node:assert/strict";
import { BoundedCache } from "./_bounded_cache.ts";

Deno.test("BoundedCache answers a value until its time, then forgets it", () => {
  const cache = new BoundedCache<string>(10);
  cache.set("a", "x", 1000);
  assert.equal(cache.get("a", 0), "x");
  assert.equal(cache.get("a", 999), "x");
  assert.equal(cache.get("a", 1000), undefined);
  assert.equal(cache.get("b", 0), undefined);
});

Deno.test("BoundedCache keeps at most its capacity, dropping the oldest half", () => {
  const cache = new BoundedCache<number>(4);
  for (let i = 0; i < 5; i++) cache.set(`k${i}`, i, 1000);
  assert.equal(cache.size, 3);
  for (let i = 0; i < 2; i++) assert.equal(cache.get(`k${i}`, 0), undefined, `k${i}`);
  for (let i = 2; i < 5; i++) assert.equal(cache.get(`k${i}`, 0), i, `k${i}`);
  for (let i = 5; i < 100; i++) {
    cache.set(`k${i}`, i, 1000);
    assert.ok(cache.size <= 4);
  }
  assert.equal(cache.get("k99", 0), 99);
  assert.equal(cache.get("k98", 0), 98);
});

Deno.test("BoundedCache replaces the value of a key set again", () => {
  const cache = new BoundedCache<number>(4);
  cache.set("a", 1, 1000);
  cache.set("b", 2, 1000);
  cache.set("c", 3, 1000); // a and b are the older generation now
  cache.set("a", 11, 2000);
  assert.equal(cache.get("a", 1500), 11);
  assert.equal(cache.size, 3);
});

Deno.test("BoundedCache with no capacity keeps nothing", () => {
  const cache = new BoundedCache<number>(0);
  cache.set("a", 1, 1000);
  assert.equal(cache.get("a", 0), undefined);
  assert.equal(cache.size, 0);
});

Deno.test("BoundedCache keeps its bound over 200,000 new keys", () => {
  const cache = new BoundedCache<true>(10_000);
  for (let i = 0; i < 200_000; i++) cache.set(`evt_${i}`, true, 1000);
  assert.equal(cache.size, 10_000);
  assert.equal(cache.get("evt_199999", 0), true);
});

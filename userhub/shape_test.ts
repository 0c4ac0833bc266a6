import assert from "node:assert/strict";
import { problemWith, type Shape } from "./_shape.ts";

interface Thing {
  id: string;
  tags?: string[];
  when?: Date;
  inner?: { count: number };
  free?: Record<string, unknown>;
}

const THING: Shape<Thing> = {
  required: { id: "string" },
  optional: {
    tags: ["string"],
    when: "time",
    inner: { required: { count: "number" }, optional: {} },
    free: "object",
  },
};

Deno.test("problemWith() names the first field that breaks its rule, with its path", () => {
  const cases: [unknown, string | undefined][] = [
    [{ id: "t1" }, undefined],
    [{ id: "t1", tags: [], when: new Date(), inner: { count: 0 }, free: { x: [] } }, undefined],
    [{}, '"thing.id" is missing'],
    [[], '"thing" is not an object'],
    [null, '"thing" is not an object'],
    [{ id: 1 }, '"thing.id" is not a string'],
    [{ id: "t1", tags: "a" }, '"thing.tags" is not a list'],
    [{ id: "t1", tags: ["a", 2] }, '"thing.tags.1" is not a string'],
    [{ id: "t1", when: "2026-01-01" }, '"thing.when" is not a time'],
    [{ id: "t1", inner: {} }, '"thing.inner.count" is missing'],
    [{ id: "t1", inner: { count: "1" } }, '"thing.inner.count" is not a number'],
    [{ id: "t1", free: [] }, '"thing.free" is not an object'],
  ];
  for (const [value, expected] of cases) {
    assert.equal(problemWith(value, THING, "thing"), expected, JSON.stringify(value));
  }
  assert.equal(problemWith({}, THING, ""), '"id" is missing');
});

Deno.test("problemWith() deletes optional fields that are null, refuses a required one", () => {
  const value: Record<string, unknown> = { id: "t1", tags: null, inner: null, extra: null };
  assert.equal(problemWith(value, THING, "thing"), undefined);
  assert.deepEqual(value, { id: "t1", extra: null });
  assert.equal(problemWith({ id: null }, THING, "thing"), '"thing.id" is not a string');
});

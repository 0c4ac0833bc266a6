import assert from "node:assert/strict";
import { applySets, toEvent } from "./envelope.ts";
import { UsageError } from "./usage_error.ts";

const NOW = new Date("2026-11-26T12:00:00.000Z");
const organization = { id: "org_1", state: "ACTIVE" };

Deno.test("toEvent() wraps a payload-only object in a fresh envelope", () => {
  const event = toEvent("organizations.changed", { organization }, { freshId: false, now: NOW });
  assert.deepEqual(Object.keys(event), ["id", "time", "type", "organizationsChanged"]);
  assert.match(String(event.id), /^evt_[0-9A-Za-z]{22}$/);
  assert.equal(event.time, NOW.toISOString());
  assert.equal(event.type, "organizations.changed");
  assert.deepEqual(event.organizationsChanged, { organization });
});

Deno.test("toEvent() keeps a whole Event, and its id unless a fresh one is asked for", () => {
  const file = {
    id: "evt_file",
    time: "2026-01-01T00:00:00Z",
    type: "organizations.changed",
    organizationsChanged: { organization },
  };
  assert.deepEqual(toEvent("organizations.changed", file, { freshId: false, now: NOW }), file);
  const fresh = toEvent("organizations.changed", file, { freshId: true, now: NOW });
  assert.notEqual(fresh.id, "evt_file");
  const untyped = toEvent("organizations.changed", { organizationsChanged: { organization } }, {
    freshId: false,
    now: NOW,
  });
  assert.equal(untyped.type, "organizations.changed");
  assert.equal(untyped.time, NOW.toISOString());
});

Deno.test("toEvent() refuses data that does not fit the event type", async (t) => {
  const cases: [string, unknown, RegExp][] = [
    ["another type", { type: "users.changed", usersChanged: {} }, /holds a "users\.changed" event/],
    ["no payload object", { type: "organizations.changed" }, /has no "organizationsChanged"/],
    ["another payload", { user: {} }, /expected a "organizations\.changed" event or its payload/],
    ["an array", [organization], /it is an array, not a JSON object/],
    ["null", null, /it is null/],
  ];
  for (const [name, data, message] of cases) {
    await t.step(name, () => {
      assert.throws(
        () => toEvent("organizations.changed", data, { freshId: false, now: NOW }),
        (error) => error instanceof UsageError && message.test(error.message),
      );
    });
  }
});

Deno.test("applySets() sets top-level fields of the event's object or the body", () => {
  const event = toEvent("members.changed", {
    organization,
    member: { state: "ACTIVE", user: { id: "usr_1" } },
  }, { freshId: false, now: NOW });
  applySets(event, "members.changed", [["state", "PENDING"], ["seat", null]]);
  assert.deepEqual((event.membersChanged as { member: unknown }).member, {
    state: "PENDING",
    user: { id: "usr_1" },
    seat: null,
  });
  const body = { pageSize: 10 };
  applySets(body, "users.list", [["pageToken", "next"]]);
  assert.deepEqual(body, { pageSize: 10, pageToken: "next" });
  assert.throws(
    () => applySets({ membersChanged: { organization } }, "members.changed", [["a", 1]]),
    /Cannot apply --set: the event has no "membersChanged\.member"/,
  );
});

Deno.test("toEvent() names the keys it found, in full, when the data is not a payload", () => {
  assert.throws(
    () => toEvent("organizations.changed", { user: {}, member: {} }, { freshId: false, now: NOW }),
    (error) =>
      error instanceof UsageError && error.message.endsWith('found the keys "user", "member"'),
  );
});

import assert from "node:assert/strict";
import { decodeEvent } from "./events.ts";
import { EVENT_TYPES, type EventType } from "./events.ts";
import { newId, seededIds } from "./_ids.ts";
import { samplePayload, sampleRequest } from "./samples.ts";

const NOW = new Date("2026-11-26T12:00:00.000Z");
const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

/** The fields the protocol contract lists for each object. */
const ACCOUNT = [
  "id",
  "state",
  "stateReason",
  "uniqueId",
  "displayName",
  "email",
  "emailVerified",
  "phoneNumber",
  "phoneNumberVerified",
  "imageUrl",
  "currencyCode",
  "languageCode",
  "regionCode",
  "timeZone",
  "address",
  "accountConnections",
  "subscription",
  "signupTime",
  "disabled",
  "view",
  "createTime",
  "updateTime",
];
const CONTRACT = {
  organization: [...ACCOUNT, "memberCount"],
  user: [...ACCOUNT, "memberships"],
  member: ["state", "user", "role", "seat", "view", "createTime", "updateTime"],
  role: [
    "id",
    "uniqueId",
    "displayName",
    "type",
    "description",
    "seatPolicy",
    "permissionSets",
    "default",
    "archived",
    "view",
    "createTime",
    "updateTime",
  ],
  accountSubscription: ["id", "state", "anchorTime", "plan"],
  // `user` is left out: the sample subscription belongs to an organization.
  subscription: [
    "id",
    "state",
    "stateReason",
    "externalId",
    "currencyCode",
    "plan",
    "items",
    "seats",
    "renewCanceled",
    "cancelPeriodEnd",
    "anchorTime",
    "startTime",
    "endTime",
    "trial",
    "currentPeriod",
    "organization",
    "default",
    "view",
    "createTime",
    "updateTime",
  ],
  // `signup` is left out: the sample flow is a JOIN_ORGANIZATION flow.
  flow: [
    "id",
    "state",
    "stateReason",
    "type",
    "organization",
    "user",
    "creator",
    "startTime",
    "expireTime",
    "ttl",
    "secret",
    "joinOrganization",
    "view",
    "createTime",
    "updateTime",
  ],
  address: ["lines", "city", "state", "postalCode", "country"],
  membership: ["organization", "role", "seat", "createTime", "updateTime"],
  customUser: [
    "id",
    "displayName",
    "email",
    "emailVerified",
    "phoneNumber",
    "phoneNumberVerified",
    "imageUrl",
    "disabled",
  ],
};

function assertFields(object: unknown, fields: string[], what: string) {
  assert.ok(typeof object === "object" && object !== null, `${what} is an object`);
  const missing = fields.filter((field) => !Object.hasOwn(object, field));
  assert.deepEqual(missing, [], `${what} lacks ${missing.join(", ")}`);
}

/** Every `[key, value]` pair in a JSON tree. */
function* entries(node: unknown): Generator<[string, unknown]> {
  if (typeof node !== "object" || node === null) return;
  for (const [key, value] of Object.entries(node)) {
    if (!Array.isArray(node)) yield [key, value];
    yield* entries(value);
  }
}

Deno.test("samplePayload() fills every field the contract lists", async (t) => {
  await t.step("organizations.changed", () => {
    const { organization } = samplePayload("organizations.changed", NOW);
    assertFields(organization, CONTRACT.organization, "organization");
    assertFields(organization.address, CONTRACT.address, "address");
    assertFields(organization.subscription, CONTRACT.accountSubscription, "subscription");
    assertFields(organization.subscription?.plan, ["id", "displayName", "product"], "plan");
    assertFields(
      organization.subscription?.plan?.product,
      ["id", "uniqueId", "displayName"],
      "product",
    );
  });
  await t.step("users.changed", () => {
    const { user } = samplePayload("users.changed", NOW);
    assertFields(user, CONTRACT.user, "user");
    assert.ok(!("memberCount" in user));
    assertFields(user.memberships?.[0], CONTRACT.membership, "membership");
    assertFields(user.memberships?.[0]?.role, CONTRACT.role, "role");
  });
  await t.step("members.changed", () => {
    const { organization, member } = samplePayload("members.changed", NOW);
    assertFields(organization, CONTRACT.organization, "organization");
    assertFields(member, CONTRACT.member, "member");
    assertFields(member.role, CONTRACT.role, "role");
    assertFields(member.user, ["id", "state", "view", "createTime", "updateTime"], "user");
  });
  await t.step("subscriptions.changed", () => {
    const { subscription } = samplePayload("subscriptions.changed", NOW);
    assertFields(subscription, CONTRACT.subscription, "subscription");
    assertFields(subscription.currentPeriod, ["startTime", "endTime"], "currentPeriod");
  });
  await t.step("flows.changed", () => {
    const { flow } = samplePayload("flows.changed", NOW);
    assertFields(flow, CONTRACT.flow, "flow");
    assertFields(flow.joinOrganization, ["displayName", "email", "role"], "joinOrganization");
    assert.equal(flow.type, "JOIN_ORGANIZATION");
  });
});

Deno.test("samplePayload() uses UserHub-shaped ids, RFC 3339 times and fresh ids", () => {
  for (const type of Object.keys(EVENT_TYPES) as EventType[]) {
    const payload = samplePayload(type, NOW);
    let ids = 0;
    for (const [key, value] of entries(payload)) {
      if (key === "time" || key.endsWith("Time")) assert.match(String(value), RFC3339, key);
      if (key === "id" && typeof value === "string") {
        assert.match(value, /^[a-z]+_[0-9A-Za-z]{22}$/, `${type} id`);
        ids++;
      }
    }
    assert.ok(ids > 0);
    const again = JSON.stringify(samplePayload(type, NOW));
    assert.notEqual(JSON.stringify(payload), again, `${type}: ids are fresh on each call`);
  }
  const { organization } = samplePayload("organizations.changed", NOW);
  assert.match(organization.id, /^org_/);
  assert.match(samplePayload("users.changed", NOW).user.id, /^usr_/);
  assert.equal(organization.updateTime, NOW.toISOString());
});

Deno.test("samplePayload() with a seed makes the same payload on every run", () => {
  for (const type of Object.keys(EVENT_TYPES) as EventType[]) {
    const payload = JSON.stringify(samplePayload(type, NOW, { seed: 1 }));
    assert.equal(JSON.stringify(samplePayload(type, NOW, { seed: 1 })), payload, type);
    assert.notEqual(JSON.stringify(samplePayload(type, NOW, { seed: 2 })), payload, type);
  }
  const { organization } = samplePayload("members.changed", NOW, { seed: 1 });
  assert.match(organization.id, /^org_[0-9A-Za-z]{22}$/);
  assert.notEqual(organization.id.slice(4), organization.subscription?.id.slice(4));
});

Deno.test("samplePayload() in an envelope decodes as the receiver decodes events", () => {
  for (const type of Object.keys(EVENT_TYPES) as EventType[]) {
    const event = {
      id: newId("evt"),
      time: NOW.toISOString(),
      type,
      [EVENT_TYPES[type].field]: samplePayload(type, NOW),
    };
    const decoded = decodeEvent(new TextEncoder().encode(JSON.stringify(event)));
    assert.equal(decoded.type, type);
    assert.ok(decoded.time instanceof Date);
  }
});

Deno.test("sampleRequest() builds the bodies of the contract's table", () => {
  assert.match(sampleRequest("challenge").challenge, /^[0-9A-Za-z]{22}$/);
  assert.notEqual(sampleRequest("challenge").challenge, sampleRequest("challenge").challenge);
  assert.deepEqual(sampleRequest("users.list"), { pageSize: 10 });
  assert.deepEqual(Object.keys(sampleRequest("users.get")), ["id"]);
  assert.deepEqual(Object.keys(sampleRequest("users.delete")), ["id"]);
  assertFields(sampleRequest("users.create"), CONTRACT.customUser, "users.create");
  assertFields(sampleRequest("users.update"), CONTRACT.customUser, "users.update");
  const created = sampleRequest("users.create");
  assert.deepEqual(Object.keys(created).sort(), [...CONTRACT.customUser].sort());
});

Deno.test("newId() makes a prefix and 22 base62 characters, different each time", () => {
  const ids = new Set(Array.from({ length: 100 }, () => newId("evt")));
  assert.equal(ids.size, 100);
  for (const id of ids) assert.match(id, /^evt_[0-9A-Za-z]{22}$/);
  assert.match(newId(""), /^[0-9A-Za-z]{22}$/);
});

Deno.test("seededIds() makes the same UserHub-shaped ids for the same seed, all different", () => {
  const [one, again, other] = [seededIds(1), seededIds(1), seededIds(2)];
  const ids = Array.from({ length: 100 }, () => one("evt"));
  assert.deepEqual(Array.from({ length: 100 }, () => again("evt")), ids);
  assert.notEqual(other("evt"), ids[0]);
  assert.equal(new Set(ids).size, 100);
  for (const id of ids) assert.match(id, /^evt_[0-9A-Za-z]{22}$/);
});

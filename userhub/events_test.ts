import assert from "node:assert/strict";
import { decodeEvent } from "./events.ts";
import { WebhookError } from "./errors.ts";
import { SAMPLE_PAYLOADS } from "../tests/fixtures.ts";

const encoder = new TextEncoder();
const { usersChanged } = SAMPLE_PAYLOADS["users.changed"];

function decodeTime(text: string): Date {
  const event = decodeEvent(encoder.encode(JSON.stringify({
    id: "evt_1",
    type: "users.changed",
    usersChanged: { ...usersChanged, list: [{ createTime: text }] },
  }))) as unknown as { usersChanged: { list: { createTime: Date }[] } };
  return event.usersChanged.list[0]!.createTime;
}

Deno.test("decodeEvent() turns times into the Dates that new Date() gives", () => {
  for (
    const text of [
      "2026-11-26T12:00:00.000Z",
      "2026-11-26T12:00:00Z",
      "2026-02-30T00:00:00.000Z",
      "2024-02-29T23:59:59.999Z",
      "2026-01-01T24:00:00.000Z",
      "0050-01-01T00:00:00.000Z",
      "2026-11-26T12:00:00.1Z",
      "2026-11-26T12:00:00.123456Z",
      "2026-11-26T12:00:00+02:00",
      "2026-11-26",
    ]
  ) {
    assert.equal(decodeTime(text).getTime(), new Date(text).getTime(), text);
  }
});

Deno.test("decodeEvent() refuses a time field that is not a time, naming its path", () => {
  for (
    const text of [
      "2026-13-01T00:00:00.000Z",
      "2026-01-32T00:00:00.000Z",
      "2026-01-01T23:60:00.000Z",
      "2026-01-01T23:59:60.000Z",
      "2026-1-01T00:00:00.000Z",
      "yesterday",
    ]
  ) {
    assert.throws(
      () => decodeTime(text),
      (error) =>
        error instanceof WebhookError &&
        error.message.startsWith(
          'Cannot decode event: "usersChanged.list.0.createTime" is not a time',
        ),
      text,
    );
  }
});

Deno.test("decodeEvent() keeps a time it cannot parse as text in an event of an unknown type", () => {
  const event = decodeEvent(encoder.encode(JSON.stringify({
    id: "evt_1",
    type: "example.never_sent",
    exampleNeverSent: { example: { dueTime: "", createTime: "2026-11-26T12:00:00Z" } },
  }))) as unknown as { exampleNeverSent: { example: { dueTime: unknown; createTime: unknown } } };
  assert.equal(event.exampleNeverSent.example.dueTime, "");
  assert.ok(event.exampleNeverSent.example.createTime instanceof Date);
});

Deno.test("decodeEvent() refuses ids and types that are not short plain tokens", () => {
  const cases = [
    { id: "", type: "users.changed" },
    { id: "evt 1", type: "users.changed" },
    { id: "evt_\n1", type: "users.changed" },
    { id: "e".repeat(256), type: "users.changed" },
    { id: 7, type: "users.changed" },
    { id: "evt_1", type: "" },
    { id: "evt_1", type: "x.y\nEvent: users.changed" },
    { id: "evt_1", type: "t".repeat(101) },
  ];
  for (const fields of cases) {
    assert.throws(
      () => decodeEvent(encoder.encode(JSON.stringify({ ...fields, usersChanged }))),
      (error) =>
        error instanceof WebhookError && error.status === 400 && !error.message.includes("\n") &&
        error.message.length < 200,
      JSON.stringify(fields),
    );
  }
  const longest = decodeEvent(
    encoder.encode(
      JSON.stringify({ id: "e".repeat(255), type: "users.changed", usersChanged }),
    ),
  );
  assert.equal(longest.id.length, 255);
});

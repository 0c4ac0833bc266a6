import assert from "node:assert/strict";
import { decodeEvent } from "./event.ts";
import { WebhookError } from "./error.ts";

const encoder = new TextEncoder();

function decodeTime(text: string): Date {
  const event = decodeEvent(encoder.encode(JSON.stringify({
    id: "evt_1",
    type: "something.new",
    thing: { list: [{ createTime: text }] },
  }))) as unknown as { thing: { list: { createTime: Date }[] } };
  return event.thing.list[0]!.createTime;
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
        error.message.startsWith('Cannot decode event: "thing.list.0.createTime" is not a time'),
      text,
    );
  }
});

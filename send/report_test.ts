import assert from "node:assert/strict";
import type { Call } from "./calls.ts";
import type { Outcome } from "./deliver.ts";
import { hints } from "./hints.ts";
import {
  formatLatency,
  formatOutcome,
  meetsExpectation,
  percentile,
  summarize,
  verdict,
} from "./report.ts";

const URL_ = new URL("http://127.0.0.1:8000/webhook");
const call: Call = {
  target: "organizations.changed",
  action: "events.handle",
  eventId: "evt_5uT0qgJ6m1cV2yXkR9pWZa",
  body: new Uint8Array(),
  headers: {},
};

function answered(status: number, statusText: string, body = "{}", latency = 3.14): Outcome {
  return { call, latency, response: { status, statusText, body } };
}

Deno.test("formatOutcome() prints what, event id, status, latency and the body on one line", () => {
  assert.equal(
    formatOutcome(answered(200, "OK"), "accepted", false),
    "organizations.changed evt_5uT0qgJ6m1cV2yXkR9pWZa → 200 OK (3.1 ms) {}",
  );
  const long = `{"message":"${"x".repeat(300)}",\n "code":"INTERNAL"}`;
  const line = formatOutcome(answered(500, "Internal Server Error", long), "accepted", false);
  assert.ok(!line.includes("\n"));
  assert.ok(line.endsWith("…"));
  const users = {
    ...call,
    target: "users.list" as const,
    action: "users.list",
    eventId: undefined,
  };
  assert.equal(
    formatOutcome(
      {
        call: users,
        latency: 12,
        failure: { kind: "refused", message: "connection refused by 127.0.0.1:8000" },
      },
      "accepted",
      false,
    ),
    "users.list → failed (12 ms) connection refused by 127.0.0.1:8000",
  );
  const green = "\x1b[32m200 OK\x1b[0m";
  const red = "\x1b[31m200 OK\x1b[0m";
  assert.ok(formatOutcome(answered(200, "OK"), "accepted", true).includes(green));
  assert.ok(formatOutcome(answered(200, "OK"), "rejected", true).includes(red));
});

Deno.test("meetsExpectation() wants 2xx, or a refusal that is not a 404", () => {
  assert.ok(meetsExpectation(answered(204, "No Content"), "accepted"));
  assert.ok(!meetsExpectation(answered(501, "Not Implemented"), "accepted"));
  assert.ok(meetsExpectation(answered(401, "Unauthorized"), "rejected"));
  assert.ok(!meetsExpectation(answered(404, "Not Found"), "rejected"));
  assert.ok(!meetsExpectation(answered(200, "OK"), "rejected"));
  assert.ok(
    !meetsExpectation({ call, latency: 1, failure: { kind: "other", message: "x" } }, "rejected"),
  );
});

Deno.test("summarize() counts statuses and gives p50 and p99", () => {
  const outcomes = [
    ...Array.from({ length: 98 }, (_, i) => answered(200, "OK", "{}", i + 1)),
    answered(401, "Unauthorized", "{}", 500),
    {
      call,
      latency: 2,
      failure: { kind: "refused" as const, message: "connection refused by x:1" },
    },
  ];
  assert.equal(
    summarize(outcomes, 1234),
    "100 calls in 1.2 s: 98 × 200 OK, 1 × 401 Unauthorized, 1 × connection refused by x:1 · p50 50 ms · p99 500 ms",
  );
});

Deno.test("percentile() and formatLatency()", () => {
  assert.equal(percentile([5], 50), 5);
  assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50), 5);
  assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 99), 10);
  assert.equal(formatLatency(0.42), "0.4 ms");
  assert.equal(formatLatency(42.4), "42 ms");
  assert.equal(formatLatency(12_345), "12 s");
});

Deno.test("hints() explains each kind of failure once", () => {
  const lines = hints(
    [
      answered(501, "Not Implemented"),
      answered(501, "Not Implemented"),
      answered(401, "Unauthorized"),
      answered(404, "Not Found"),
      { call, latency: 1, failure: { kind: "refused", message: "connection refused" } },
      answered(200, "OK"),
    ],
    "accepted",
    URL_,
  );
  assert.equal(lines.length, 4);
  assert.match(lines[0]!, /^501: the server has no handler for events\.handle/);
  assert.match(lines[1]!, /^401: the server refused the signature or timestamp/);
  assert.match(lines[2]!, /^404: nothing at \/webhook/);
  assert.match(lines[3]!, /^Nothing is listening at http:\/\/127\.0\.0\.1:8000: start the server/);
  assert.deepEqual(hints([answered(401, "Unauthorized")], "rejected", URL_), []);
  assert.match(
    hints([answered(200, "OK")], "rejected", URL_)[0]!,
    /took a deliberately invalid call/,
  );
});

Deno.test("verdict() says whether the run went as wanted", () => {
  assert.deepEqual(verdict([answered(200, "OK")], "accepted", ""), { ok: true, line: undefined });
  assert.deepEqual(
    verdict([answered(200, "OK"), answered(500, "Internal Server Error")], "accepted", ""),
    {
      ok: false,
      line: "1 of 2 calls did not get a 2xx answer: exit code 1",
    },
  );
  assert.deepEqual(
    verdict(
      [answered(401, "Unauthorized"), answered(401, "Unauthorized")],
      "rejected",
      "bad signature",
    ),
    {
      ok: true,
      line: "All 2 calls were refused, as intended (bad signature)",
    },
  );
  assert.deepEqual(verdict([answered(200, "OK")], "rejected", "bad signature"), {
    ok: false,
    line: "The call was not refused although invalid (bad signature): exit code 1",
  });
});

Deno.test("hints() tells a directory's unknown user from a wrong path", () => {
  const getUser: Call = { ...call, target: "users.get", action: "users.get", eventId: undefined };
  const answer = (body: string): Outcome => ({
    call: getUser,
    latency: 1,
    response: { status: 404, statusText: "Not Found", body },
  });
  assert.deepEqual(
    hints([answer('{"message":"User not found","code":"NOT_FOUND"}')], "accepted", URL_),
    ["404: the user directory has no user with that id (users.create makes one)"],
  );
  assert.match(
    hints([answer('{"message":"Not found: /hook","code":"NOT_FOUND"}')], "accepted", URL_)[0]!,
    /^404: nothing at \/webhook/,
  );
});

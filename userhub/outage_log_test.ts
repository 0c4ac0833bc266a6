import assert from "node:assert/strict";
import { eventBody, recordingLogger, SECRET, signedRequest, testClock } from "../tests/fixtures.ts";
import type { DeliveryGuard } from "./guard.ts";
import { Webhook } from "./webhook.ts";

Deno.test("Webhook logs a failing store once with its cause, then a count every 10 s, then its return", async () => {
  const clock = testClock();
  let down = true;
  const kvDown = () => Promise.reject(new Error("database is closed"));
  const guard: DeliveryGuard = {
    claim: () => down ? kvDown() : Promise.resolve({ status: "claimed", token: "t" }),
    complete: () => Promise.resolve(),
    release: () => Promise.resolve(),
    holdClaim: () => () => Promise.resolve(),
    rememberSigned: () => down ? kvDown() : Promise.resolve(undefined),
  };
  const logger = recordingLogger();
  const causes: unknown[] = [];
  const error = logger.error;
  logger.error = (message, cause) => {
    if (cause !== undefined) causes.push(cause);
    error(message);
  };
  const webhook = new Webhook({ secret: SECRET, now: clock.now, logger, guard }).onEvent(() => {});
  const deliver = async (i: number) => {
    const body = eventBody("users.changed", undefined, `evt_${i}`);
    const response = await webhook.handleFromWeb(
      await signedRequest({ body, timestamp: Math.floor(clock.now() / 1000) }),
    );
    await response.body?.cancel();
    return response.status;
  };
  // 2,500 calls over 25 s of failure: 100 a second.
  const statuses = new Set<number>();
  for (let i = 0; i < 2500; i++) {
    statuses.add(await deliver(i));
    clock.advance(10);
  }
  assert.deepEqual([...statuses], [503]);
  down = false;
  assert.equal(await deliver(2500), 200);
  assert.deepEqual(
    logger.lines,
    [
      "error: Refused events.handle (503): Cannot check evt_0 (users.changed) for duplicates: the store failed",
      "error: The store still fails: 1000 more calls refused (503) in 10 s",
      "error: The store still fails: 1000 more calls refused (503) in 10 s",
      "info: The store answers again: 2500 calls refused (503) in 25 s of failure",
      "info: Event: users.changed",
    ].filter((line) => !line.endsWith("Event: users.changed")),
  );
  assert.equal(causes.length, 1);
  assert.equal((causes[0] as Error).message, "database is closed");
});

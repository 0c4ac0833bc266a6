import assert from "node:assert/strict";
import { NOW_MS, NOW_S, SECRET, signedRequest } from "../tests/fixtures.ts";
import { SigningKey } from "./_signature.ts";
import { verifyCall } from "./_verify.ts";
import { WebhookError } from "./errors.ts";

const OPTIONS = { keys: [new SigningKey(SECRET)], now: NOW_MS };

Deno.test("verifyCall() returns the action, timestamp and body of a signed call", async () => {
  const request = await signedRequest({ body: '{"challenge":"x"}', action: "challenge" });
  const body = new Uint8Array(await request.arrayBuffer());
  const call = await verifyCall({ headers: request.headers, body }, OPTIONS);
  assert.equal(call.action, "challenge");
  assert.equal(call.timestamp, NOW_S);
  assert.deepEqual(call.body, body);
});

Deno.test("verifyCall() throws a 401 WebhookError for a wrong signature", async () => {
  const request = await signedRequest({ body: "{}", secret: "whsec_other" });
  const body = new Uint8Array(await request.arrayBuffer());
  await assert.rejects(
    verifyCall({ headers: request.headers, body }, OPTIONS),
    (error: unknown) => error instanceof WebhookError && error.status === 401,
  );
});

Deno.test("verifyCall() takes the action from the first comma-separated value, trimmed", async () => {
  const request = await signedRequest({
    body: "{}",
    headers: { "userhub-action": " users.list , events.handle" },
  });
  const call = await verifyCall({
    headers: request.headers,
    body: new Uint8Array(await request.arrayBuffer()),
  }, OPTIONS);
  assert.equal(call.action, "users.list");
});

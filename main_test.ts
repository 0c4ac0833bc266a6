/**
 * Signed round trips through the app, as `main.ts` serves it: `createApp()`
 * called with a `new Request(...)`, no port. Start here; then:
 *
 * - `handlers/users_changed_test.ts`: a handler's test, the one to copy for yours
 * - `app/verification_test.ts`: timestamps, missing pieces, the action from the query
 * - `app/dispatch_test.ts`: each event type to its handler, bad events, failures, 501, 405, 404
 * - `app/payload_test.ts`: event payloads checked field by field
 * - `app/dedupe_test.ts`: the duplicate check over Deno KV; `dedupe/`: the stores
 * - `app/body_limits_test.ts`: a real server on an ephemeral port, the 5 MiB cap
 * - `config_test.ts`: the environment variables
 * - `tests/`: `main.ts` started as `deno task start` starts it
 *
 * @module
 */

import assert from "node:assert/strict";
import { eventBody, NOW_S, SECRET, signedRequest } from "./tests/fixtures.ts";
import { AGENT, assertError, organizationEvent, testApp } from "./tests/test_app.ts";

Deno.test("POST /webhook accepts a correctly signed event and answers {}", async () => {
  const { app, received } = testApp();
  const response = await app(await signedRequest({ body: organizationEvent }));
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("content-type"), "application/json");
  assert.match(response.headers.get("webhook-agent") ?? "", AGENT);
  assert.equal(await response.text(), "{}");
  assert.equal(received.length, 1);
});

Deno.test("POST /webhook echoes the challenge byte for byte", async () => {
  const { app } = testApp();
  const body = '{ "challenge" :"YWJj\\u00e9"  }';
  const response = await app(await signedRequest({ body, action: "challenge" }));
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("content-type"), "application/json");
  assert.equal(await response.text(), body);
});

Deno.test("POST /webhook refuses a challenge without a challenge string", async () => {
  const { app } = testApp();
  const response = await app(await signedRequest({ body: '{"nope":1}', action: "challenge" }));
  await assertError(response, 400, "INVALID_ARGUMENT");
});

/** The `UserHub-Signature` of a correctly signed event, changed one way a step. */
const signatureSteps: Record<string, () => Promise<void>> = {
  "signed with another secret is 401": async () => {
    const { app, received } = testApp();
    const response = await app(
      await signedRequest({ body: organizationEvent, secret: "whsec_other" }),
    );
    await assertError(response, 401, "UNAUTHENTICATED");
    assert.equal(received.length, 0);
  },

  "signature of another body is 401": async () => {
    const { app, received } = testApp();
    const good = await signedRequest({ body: '{"challenge":"a"}', action: "challenge" });
    const response = await app(
      await signedRequest({
        body: '{"challenge":"b"}',
        action: "challenge",
        headers: { "userhub-signature": good.headers.get("userhub-signature") },
      }),
    );
    await assertError(response, 401, "UNAUTHENTICATED");
    assert.equal(received.length, 0);
  },

  "signature over another timestamp is 401": async () => {
    const { app } = testApp();
    const request = await signedRequest({ body: organizationEvent, timestamp: NOW_S - 1 });
    const response = await app(
      await signedRequest({
        body: organizationEvent,
        headers: { "userhub-signature": request.headers.get("userhub-signature") },
      }),
    );
    await assertError(response, 401, "UNAUTHENTICATED");
  },

  "one valid among several comma-separated signatures is accepted": async () => {
    const { app, received } = testApp();
    const valid = (await signedRequest({ body: organizationEvent })).headers.get(
      "userhub-signature",
    );
    const wrong = "0".repeat(64);
    const response = await app(
      await signedRequest({
        body: organizationEvent,
        headers: { "userhub-signature": `${wrong}, ${valid} ,not-hex` },
      }),
    );
    assert.equal(response.status, 200);
    await response.body?.cancel();
    assert.equal(received.length, 1);
  },

  "one valid among repeated signature headers is accepted": async () => {
    const { app, received } = testApp();
    const request = await signedRequest({ body: organizationEvent });
    const valid = request.headers.get("userhub-signature")!;
    const headers = new Headers(request.headers);
    headers.delete("userhub-signature");
    headers.append("userhub-signature", "f".repeat(64));
    headers.append("userhub-signature", valid);
    const response = await app(
      new Request(request.url, { method: "POST", headers, body: organizationEvent }),
    );
    assert.equal(response.status, 200);
    await response.body?.cancel();
    assert.equal(received.length, 1);
  },

  "only wrong signatures, one not hex, is 401 (not 500)": async () => {
    const { app } = testApp();
    const response = await app(
      await signedRequest({
        body: organizationEvent,
        headers: { "userhub-signature": "zz, 12, " + "a".repeat(64) + ", " + "A".repeat(63) },
      }),
    );
    await assertError(response, 401, "UNAUTHENTICATED");
  },

  "an uppercase copy of the valid signature is accepted as the same hex": async () => {
    const { app } = testApp();
    const valid = (await signedRequest({ body: organizationEvent })).headers.get(
      "userhub-signature",
    )!;
    const response = await app(
      await signedRequest({
        body: organizationEvent,
        headers: { "userhub-signature": valid.toUpperCase() },
      }),
    );
    assert.equal(response.status, 200);
    await response.body?.cancel();
  },

  "a signature header holding only commas and spaces is 401": async () => {
    const { app } = testApp();
    const response = await app(
      await signedRequest({ body: organizationEvent, headers: { "userhub-signature": " , ," } }),
    );
    const message = await assertError(response, 401, "UNAUTHENTICATED");
    assert.match(message, /UserHub-Signature/);
  },
};

Deno.test("POST /webhook signatures", async (t) => {
  for (const [name, step] of Object.entries(signatureSteps)) await t.step(name, step);
});

Deno.test("POST /webhook never logs or answers the secret, the signature or the body", async () => {
  const { app, lines } = testApp();
  const body = eventBody("users.changed", undefined, "evt_private_marker");
  for (const secret of ["whsec_wrong", SECRET]) {
    const request = await signedRequest({
      body,
      secret,
      timestamp: NOW_S - (secret === SECRET ? 999 : 0),
    });
    const signature = request.headers.get("userhub-signature")!;
    const response = await app(request);
    const answer = await response.text();
    assert.equal(response.status, 401);
    for (const text of [answer, ...lines]) {
      for (const secretThing of [SECRET, "whsec_wrong", signature, "evt_private_marker", "Ada"]) {
        assert.ok(!text.includes(secretThing), `${JSON.stringify(secretThing)} leaked in ${text}`);
      }
    }
  }
  assert.equal(lines.length, 2);
});

Deno.test("POST /webhook accepts either secret during rotation", async () => {
  const { app, received } = testApp({ secrets: ["whsec_old", "whsec_new"] });
  for (const secret of ["whsec_old", "whsec_new"]) {
    const response = await app(await signedRequest({ body: organizationEvent, secret }));
    assert.equal(response.status, 200, secret);
    await response.body?.cancel();
  }
  const response = await app(
    await signedRequest({ body: organizationEvent, secret: "whsec_gone" }),
  );
  await assertError(response, 401, "UNAUTHENTICATED");
  assert.equal(received.length, 2);
});

/**
 * What the receiver checks before it trusts a call, through `createApp()`:
 * the timestamp and its 300 s window, every required piece of a call, and the
 * action read from `?action=`.
 *
 * @module
 */

import assert from "node:assert/strict";
import { NOW_MS, NOW_S, signedRequest } from "../tests/fixtures.ts";
import { assertError, organizationEvent, testApp } from "../tests/test_app.ts";

/** Steps for timestamps at the edges of the 300 s window and beyond it. */
async function timestampWindowSteps(t: Deno.TestContext): Promise<void> {
  for (const offset of [-300, 300, 0]) {
    await t.step(`${offset} s from the clock is accepted`, async () => {
      const { app } = testApp();
      const response = await app(
        await signedRequest({ body: organizationEvent, timestamp: NOW_S + offset }),
      );
      assert.equal(response.status, 200);
      await response.body?.cancel();
    });
  }
  for (const offset of [-301, 301, -86_400]) {
    await t.step(`${offset} s from the clock is 401 and the skew is logged`, async () => {
      const { app, received, lines } = testApp();
      const response = await app(
        await signedRequest({ body: organizationEvent, timestamp: NOW_S + offset }),
      );
      const message = await assertError(response, 401, "UNAUTHENTICATED");
      assert.match(message, new RegExp(`${Math.abs(offset)} s`));
      assert.ok(
        lines.some((line) => line.startsWith("warn:") && line.includes(`${Math.abs(offset)} s`)),
      );
      assert.equal(received.length, 0);
    });
  }
}

/** Steps for `UserHub-Timestamp` texts that are, or are not, a number of seconds. */
async function timestampTextSteps(t: Deno.TestContext): Promise<void> {
  for (const bad of ["abc", "1.5", "-5", "1e9", "0x6746d5c0", `${NOW_S}s`, "", "+"]) {
    await t.step(
      `timestamp ${JSON.stringify(bad)}, signed as sent, is 401 "not a number"`,
      async () => {
        const { app, received } = testApp();
        const response = await app(
          await signedRequest({ body: organizationEvent, timestamp: bad }),
        );
        const message = await assertError(response, 401, "UNAUTHENTICATED");
        assert.match(
          message,
          bad === "" ? /UserHub-Timestamp header is missing|not a number/ : /not a number/,
        );
        assert.equal(received.length, 0);
      },
    );
  }
  for (const good of [`+${NOW_S}`, `000${NOW_S}`]) {
    await t.step(
      `timestamp ${JSON.stringify(good)} is a number, accepted as the SDKs do`,
      async () => {
        const { app } = testApp();
        const response = await app(
          await signedRequest({ body: organizationEvent, timestamp: good }),
        );
        assert.equal(response.status, 200);
        await response.body?.cancel();
      },
    );
  }
}

/** The other timestamp steps: a repeated header, milliseconds, and the order of checks. */
const timestampSteps: Record<string, () => Promise<void>> = {
  "a repeated UserHub-Timestamp header counts by its first value": async () => {
    const { app } = testApp();
    const request = await signedRequest({ body: organizationEvent });
    const headers = new Headers(request.headers);
    headers.append("userhub-timestamp", String(NOW_S));
    assert.equal(headers.get("userhub-timestamp"), `${NOW_S}, ${NOW_S}`);
    const response = await app(
      new Request(request.url, { method: "POST", headers, body: organizationEvent }),
    );
    assert.equal(response.status, 200);
    await response.body?.cancel();
  },

  "a timestamp in milliseconds is refused with its skew logged": async () => {
    const { app, lines } = testApp();
    const response = await app(
      await signedRequest({ body: organizationEvent, timestamp: NOW_MS }),
    );
    const message = await assertError(response, 401, "UNAUTHENTICATED");
    assert.match(message, /ahead of this server's clock/);
    assert.ok(lines.some((line) => line.startsWith("warn:") && line.includes("ahead of")));
  },

  "a missing signature is reported before a stale timestamp (the contract's order)": async () => {
    const { app } = testApp();
    const response = await app(
      await signedRequest({
        body: organizationEvent,
        timestamp: NOW_S - 1000,
        headers: { "userhub-signature": null },
      }),
    );
    const message = await assertError(response, 401, "UNAUTHENTICATED");
    assert.match(message, /UserHub-Signature header is missing/);
  },
};

Deno.test("POST /webhook timestamps", async (t) => {
  await timestampWindowSteps(t);
  await timestampTextSteps(t);
  for (const [name, step] of Object.entries(timestampSteps)) await t.step(name, step);
});

/** Sends the signed organization event to a new test app, `headers` replaced or (`null`) removed. */
async function sendWithHeaders(headers: Record<string, string | null>): Promise<Response> {
  const { app } = testApp();
  return await app(await signedRequest({ body: organizationEvent, headers }));
}

Deno.test("POST /webhook missing pieces", async (t) => {
  await t.step("no UserHub-Action is 400", async () => {
    const response = await sendWithHeaders({ "userhub-action": null });
    const message = await assertError(response, 400, "INVALID_ARGUMENT");
    assert.match(message, /UserHub-Action/);
  });

  await t.step("a blank UserHub-Action is 400", async () => {
    const response = await sendWithHeaders({ "userhub-action": " , x" });
    await assertError(response, 400, "INVALID_ARGUMENT");
  });

  await t.step("no UserHub-Timestamp is 401", async () => {
    const response = await sendWithHeaders({ "userhub-timestamp": null });
    const message = await assertError(response, 401, "UNAUTHENTICATED");
    assert.match(message, /UserHub-Timestamp/);
  });

  await t.step("no UserHub-Signature is 401", async () => {
    const response = await sendWithHeaders({ "userhub-signature": null });
    const message = await assertError(response, 401, "UNAUTHENTICATED");
    assert.match(message, /UserHub-Signature/);
  });

  await t.step("an empty body is 400, even when signed", async () => {
    const { app } = testApp();
    const response = await app(await signedRequest({ body: "" }));
    const message = await assertError(response, 400, "INVALID_ARGUMENT");
    assert.match(message, /body is empty/);
  });

  await t.step("no headers at all is 400 for the missing action", async () => {
    const { app } = testApp();
    const response = await app(
      new Request("http://localhost/webhook", { method: "POST", body: organizationEvent }),
    );
    await assertError(response, 400, "INVALID_ARGUMENT");
  });
});

/** Steps for a query action that is not one plain action name. */
async function badQueryActionSteps(t: Deno.TestContext): Promise<void> {
  for (
    const [name, url] of [
      ["a repeated query action with two values", "?action=challenge&action=events.handle"],
      ["an action with a line break", "?action=users.get%0AEvent:%20users.changed"],
      ["an action of 65 characters", `?action=${"a".repeat(65)}`],
    ]
  ) {
    await t.step(`${name} is 400 and logged quoted`, async () => {
      const { app, received, lines } = testApp();
      const response = await app(
        await signedRequest({
          body: '{"challenge":"x"}',
          url: `http://localhost/webhook${url}`,
          headers: { "userhub-action": null },
        }),
      );
      await assertError(response, 400, "INVALID_ARGUMENT");
      assert.equal(received.length, 0);
      assert.ok(lines.every((line) => !line.includes("\n")), lines.join(" | "));
    });
  }
}

Deno.test("POST /webhook action from the query parameter", async (t) => {
  await t.step("?action=events.handle without the header is handled", async () => {
    const { app, received } = testApp();
    const response = await app(
      await signedRequest({
        body: organizationEvent,
        url: "http://localhost/webhook?action=events.handle",
        headers: { "userhub-action": null },
      }),
    );
    assert.equal(response.status, 200);
    await response.body?.cancel();
    assert.equal(received.length, 1);
  });

  await t.step("the same action in header and query is handled", async () => {
    const { app } = testApp();
    const response = await app(
      await signedRequest({
        body: organizationEvent,
        url: "http://localhost/webhook?action=events.handle",
      }),
    );
    assert.equal(response.status, 200);
    await response.body?.cancel();
  });

  await badQueryActionSteps(t);

  await t.step("different actions in header and query are 400", async () => {
    const { app, received } = testApp();
    const response = await app(
      await signedRequest({
        body: '{"challenge":"x"}',
        action: "challenge",
        url: "http://localhost/webhook?action=events.handle",
      }),
    );
    await assertError(response, 400, "INVALID_ARGUMENT");
    assert.equal(received.length, 0);
  });
});

import assert from "node:assert/strict";
import { createApp, stopOnSignals } from "./main.ts";
import {
  eventBody,
  NOW_MS,
  NOW_S,
  recordingLogger,
  SAMPLE_PAYLOADS,
  SECRET,
  signedRequest,
  withScratchDir,
} from "./_testing.ts";
import type { Event, EventHandlers, EventType } from "./userhub/mod.ts";

const AGENT = /^userhub-webhooks-deno\/\d+\.\d+\.\d+$/;

/** An app over a fixed clock whose handlers record what they receive. */
function testApp(options: { secrets?: string[]; handlers?: EventHandlers } = {}) {
  const received: Event[] = [];
  const errors: unknown[][] = [];
  const logger = recordingLogger();
  const record = (event: Event) => {
    received.push(event);
  };
  const app = createApp({
    secrets: options.secrets ?? [SECRET],
    now: () => NOW_MS,
    logger,
    onError: (...args) => errors.push(args),
    handlers: options.handlers ?? {
      "organizations.changed": record,
      "users.changed": record,
      "members.changed": record,
      "subscriptions.changed": record,
      "flows.changed": record,
    },
  });
  return { app, received, errors, lines: logger.lines };
}

/** Asserts the status, the JSON headers and the error code of a response. */
async function assertError(response: Response, status: number, code: string): Promise<string> {
  assert.equal(response.status, status);
  assert.equal(response.headers.get("content-type"), "application/json");
  assert.match(response.headers.get("webhook-agent") ?? "", AGENT);
  const body = await response.json();
  assert.equal(body.code, code);
  assert.equal(typeof body.message, "string");
  assert.deepEqual(Object.keys(body).sort(), ["code", "message"]);
  return body.message;
}

const organizationEvent = eventBody("organizations.changed");

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

Deno.test("POST /webhook signatures", async (t) => {
  await t.step("signed with another secret is 401", async () => {
    const { app, received } = testApp();
    const response = await app(
      await signedRequest({ body: organizationEvent, secret: "whsec_other" }),
    );
    await assertError(response, 401, "UNAUTHENTICATED");
    assert.equal(received.length, 0);
  });

  await t.step("signature of another body is 401", async () => {
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
  });

  await t.step("signature over another timestamp is 401", async () => {
    const { app } = testApp();
    const request = await signedRequest({ body: organizationEvent, timestamp: NOW_S - 1 });
    const response = await app(
      await signedRequest({
        body: organizationEvent,
        headers: { "userhub-signature": request.headers.get("userhub-signature") },
      }),
    );
    await assertError(response, 401, "UNAUTHENTICATED");
  });

  await t.step("one valid among several comma-separated signatures is accepted", async () => {
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
  });

  await t.step("one valid among repeated signature headers is accepted", async () => {
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
  });

  await t.step("only wrong signatures, one not hex, is 401 (not 500)", async () => {
    const { app } = testApp();
    const response = await app(
      await signedRequest({
        body: organizationEvent,
        headers: { "userhub-signature": "zz, 12, " + "a".repeat(64) + ", " + "A".repeat(63) },
      }),
    );
    await assertError(response, 401, "UNAUTHENTICATED");
  });

  await t.step("an uppercase copy of the valid signature is accepted as the same hex", async () => {
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
  });

  await t.step("a signature header holding only commas and spaces is 401", async () => {
    const { app } = testApp();
    const response = await app(
      await signedRequest({ body: organizationEvent, headers: { "userhub-signature": " , ," } }),
    );
    const message = await assertError(response, 401, "UNAUTHENTICATED");
    assert.match(message, /UserHub-Signature/);
  });
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

Deno.test("POST /webhook timestamps", async (t) => {
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
  await t.step("a repeated UserHub-Timestamp header counts by its first value", async () => {
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
  });
  await t.step("a timestamp in milliseconds is refused with its skew logged", async () => {
    const { app, lines } = testApp();
    const response = await app(
      await signedRequest({ body: organizationEvent, timestamp: NOW_MS }),
    );
    const message = await assertError(response, 401, "UNAUTHENTICATED");
    assert.match(message, /ahead of this server's clock/);
    assert.ok(lines.some((line) => line.startsWith("warn:") && line.includes("ahead of")));
  });
  await t.step(
    "a missing signature is reported before a stale timestamp (the contract's order)",
    async () => {
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
  );
});

Deno.test("POST /webhook missing pieces", async (t) => {
  await t.step("no UserHub-Action is 400", async () => {
    const { app } = testApp();
    const response = await app(
      await signedRequest({ body: organizationEvent, headers: { "userhub-action": null } }),
    );
    const message = await assertError(response, 400, "INVALID_ARGUMENT");
    assert.match(message, /UserHub-Action/);
  });

  await t.step("a blank UserHub-Action is 400", async () => {
    const { app } = testApp();
    const response = await app(
      await signedRequest({ body: organizationEvent, headers: { "userhub-action": " , x" } }),
    );
    await assertError(response, 400, "INVALID_ARGUMENT");
  });

  await t.step("no UserHub-Timestamp is 401", async () => {
    const { app } = testApp();
    const response = await app(
      await signedRequest({ body: organizationEvent, headers: { "userhub-timestamp": null } }),
    );
    const message = await assertError(response, 401, "UNAUTHENTICATED");
    assert.match(message, /UserHub-Timestamp/);
  });

  await t.step("no UserHub-Signature is 401", async () => {
    const { app } = testApp();
    const response = await app(
      await signedRequest({ body: organizationEvent, headers: { "userhub-signature": null } }),
    );
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

Deno.test("POST /webhook delivers each event type to its own handler, typed, with Date fields", async (t) => {
  for (const type of Object.keys(SAMPLE_PAYLOADS) as EventType[]) {
    await t.step(type, async () => {
      const calls: string[] = [];
      const only = (name: EventType) => (event: Event) => {
        calls.push(`${name}:${event.type}`);
      };
      const handlers: EventHandlers = {
        "organizations.changed": (event) => {
          only("organizations.changed")(event);
          assert.ok(event.organizationsChanged.organization.createTime instanceof Date);
          assert.equal(event.organizationsChanged.organization.displayName, "Acme");
        },
        "users.changed": (event) => {
          only("users.changed")(event);
          assert.ok(event.usersChanged.user.updateTime instanceof Date);
          assert.equal(event.usersChanged.user.email, "ada@example.com");
        },
        "members.changed": (event) => {
          only("members.changed")(event);
          assert.ok(event.membersChanged.member.role.createTime instanceof Date);
          assert.equal(event.membersChanged.member.user.displayName, "Ada Lovelace");
        },
        "subscriptions.changed": (event) => {
          only("subscriptions.changed")(event);
          const period = event.subscriptionsChanged.subscription.currentPeriod;
          assert.equal(period?.endTime?.toISOString(), "2026-12-26T11:59:30.000Z");
        },
        "flows.changed": (event) => {
          only("flows.changed")(event);
          assert.ok(event.flowsChanged.flow.startTime instanceof Date);
          assert.equal(event.flowsChanged.flow.type, "JOIN_ORGANIZATION");
        },
      };
      const { app, errors, lines } = testApp({ handlers });
      const response = await app(await signedRequest({ body: eventBody(type) }));
      assert.deepEqual(errors, []);
      assert.equal(response.status, 200);
      assert.equal(await response.text(), "{}");
      assert.deepEqual(calls, [`${type}:${type}`]);
      assert.ok(lines.includes(`info: Event: ${type}`));
    });
  }
});

Deno.test("POST /webhook decodes the envelope time as a Date", async () => {
  const { app, received } = testApp();
  const response = await app(await signedRequest({ body: eventBody("users.changed") }));
  await response.body?.cancel();
  assert.ok(received[0]?.time instanceof Date);
  assert.equal(received[0]?.time?.toISOString(), "2026-11-26T11:59:30.000Z");
  assert.equal(received[0]?.id, "evt_2LLkDJKdGvDCRh3JFsZQ9j");
});

Deno.test("POST /webhook acknowledges an unknown event type and logs it", async () => {
  const { app, received, lines } = testApp();
  const response = await app(
    await signedRequest({
      body: eventBody("invoices.changed", { invoicesChanged: { invoice: {} } }),
    }),
  );
  assert.equal(response.status, 200);
  assert.equal(await response.text(), "{}");
  assert.equal(received.length, 0);
  assert.ok(lines.some((line) => line.includes("invoices.changed") && line.includes("no handler")));
});

Deno.test("POST /webhook refuses an event body that is not an event with 400", async (t) => {
  const cases: Record<string, string> = {
    "not JSON": "{nope",
    "a JSON array": "[1,2]",
    "a JSON string": '"evt_1"',
    "no id": JSON.stringify({ type: "users.changed", usersChanged: {} }),
    "a numeric id": JSON.stringify({ id: 7, type: "users.changed", usersChanged: {} }),
    "no type": JSON.stringify({ id: "evt_1" }),
    "a known type without its payload": JSON.stringify({ id: "evt_1", type: "users.changed" }),
    "a time that is not a time": eventBody("users.changed", {
      usersChanged: { user: { id: "usr_1", createTime: "yesterday-ish" } },
    }),
    "invalid UTF-8 in a string": "",
    "nesting too deep to walk": `{"id":"evt_1","type":"users.changed","usersChanged":${
      "[".repeat(200_000)
    }${"]".repeat(200_000)}}`,
  };
  for (const [name, body] of Object.entries(cases)) {
    await t.step(name, async () => {
      const { app, received } = testApp();
      const bytes = name === "invalid UTF-8 in a string"
        ? new TextEncoder().encode(eventBody("users.changed", undefined, "evt_\u00ff"))
          .map((byte, i, all) => all[i - 1] === 0xc3 && byte === 0xbf ? 0xff : byte)
        : body;
      const response = await app(await signedRequest({ body: bytes }));
      await assertError(response, 400, "INVALID_ARGUMENT");
      assert.equal(received.length, 0);
    });
  }
});

Deno.test("POST /webhook answers a handler failure with the generic 500 and reports it", async () => {
  const { app, errors } = testApp({
    handlers: {
      "users.changed": () => {
        throw new Error("database password is hunter2");
      },
    },
  });
  const response = await app(await signedRequest({ body: eventBody("users.changed") }));
  assert.equal(response.status, 500);
  assert.equal(response.headers.get("content-type"), "application/json");
  assert.equal(await response.text(), '{"message":"Webhook server error","code":"INTERNAL"}');
  assert.equal(errors.length, 1);
  const [error, context] = errors[0]!;
  assert.match(String(error), /hunter2/);
  assert.deepEqual(context, {
    action: "events.handle",
    eventId: "evt_2LLkDJKdGvDCRh3JFsZQ9j",
    eventType: "users.changed",
  });
});

Deno.test("POST /webhook answers an action with no handler with 501 as the contract says", async () => {
  const { app, errors, lines } = testApp();
  const response = await app(
    await signedRequest({ body: '{"id":"usr_1"}', action: "users.get" }),
  );
  assert.equal(response.status, 501);
  assert.equal(
    await response.text(),
    '{"message":"Handler not implemented: users.get","code":"UNIMPLEMENTED"}',
  );
  assert.deepEqual(lines, ["warn: Refused users.get (501): Handler not implemented: users.get"]);
  assert.deepEqual(errors, []);
});

Deno.test("POST /webhook checks the signature before answering an unknown action", async () => {
  const { app } = testApp();
  const response = await app(
    await signedRequest({ body: '{"id":"usr_1"}', action: "users.get", secret: "whsec_other" }),
  );
  await assertError(response, 401, "UNAUTHENTICATED");
});

Deno.test("/webhook with another method is 405 with Allow: POST", async () => {
  const { app } = testApp();
  for (const method of ["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE"]) {
    const response = await app(new Request("http://localhost/webhook", { method }));
    assert.equal(response.headers.get("allow"), "POST");
    await assertError(response, 405, "INVALID_ARGUMENT");
  }
});

Deno.test("GET /healthz is 200 JSON, any other path is 404 JSON", async () => {
  const { app } = testApp();
  const health = await app(new Request("http://localhost/healthz"));
  assert.equal(health.status, 200);
  assert.equal(health.headers.get("content-type"), "application/json");
  assert.deepEqual(await health.json(), { status: "ok" });
  const post = await app(new Request("http://localhost/healthz", { method: "POST", body: "{}" }));
  assert.equal(post.headers.get("allow"), "GET, HEAD");
  await assertError(post, 405, "INVALID_ARGUMENT");
  for (const path of ["/", "/webhooks", "/webhook/extra", "/healthz/x"]) {
    const response = await app(
      new Request(`http://localhost${path}`, { method: "POST", body: "{}" }),
    );
    await assertError(response, 404, "NOT_FOUND");
  }
});

/** A stream that yields `bytes` in chunks of `size`, as a chunked upload sends them. */
function streamOf(bytes: Uint8Array, size: number): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(offset, offset + size));
      offset += size;
    },
  });
}

/** Serves the app on an ephemeral port for the duration of `fn`. */
async function withServer(fn: (url: string, lines: string[]) => Promise<void>): Promise<void> {
  const { app, lines } = testApp();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, app);
  try {
    await fn(`http://127.0.0.1:${server.addr.port}`, lines);
  } finally {
    await server.shutdown();
  }
}

Deno.test("a real server on an ephemeral port", async (t) => {
  await withServer(async (base, lines) => {
    await t.step("answers a signed event sent with fetch", async () => {
      const request = await signedRequest({ body: organizationEvent, url: `${base}/webhook` });
      const response = await fetch(request);
      assert.equal(response.status, 200);
      assert.equal(await response.text(), "{}");
      assert.ok(lines.includes("info: Event: organizations.changed"));
    });

    await t.step("refuses a body over 5 MiB from its Content-Length with 413", async () => {
      const body = new Uint8Array(5 * 1024 * 1024 + 1).fill(0x20);
      const request = await signedRequest({ body, url: `${base}/webhook` });
      const response = await fetch(request);
      await assertError(response, 413, "RESOURCE_EXHAUSTED");
    });

    await t.step("accepts a body of exactly 5 MiB", async () => {
      const padding = 5 * 1024 * 1024 - organizationEvent.length;
      const body = new TextEncoder().encode(organizationEvent + " ".repeat(padding));
      assert.equal(body.length, 5 * 1024 * 1024);
      const response = await fetch(await signedRequest({ body, url: `${base}/webhook` }));
      assert.equal(response.status, 200);
      await response.body?.cancel();
    });

    await t.step("refuses a streamed body over 5 MiB without Content-Length with 413", async () => {
      const request = await signedRequest({ body: organizationEvent, url: `${base}/webhook` });
      let sent = 0;
      const chunk = new Uint8Array(64 * 1024).fill(0x20);
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          // Stop at 8 MiB whatever happens, so a broken limit cannot make the test hang.
          if (sent >= 8 * 1024 * 1024) return controller.close();
          sent += chunk.length;
          controller.enqueue(chunk);
        },
      });
      const response = await fetch(`${base}/webhook`, {
        method: "POST",
        headers: request.headers,
        body: stream,
      });
      await request.body?.cancel();
      await assertError(response, 413, "RESOURCE_EXHAUSTED");
    });

    for (const extra of [0, 1]) {
      await t.step(
        `a signed streamed body of 5 MiB ${extra ? "+ 1 byte is 413" : "exactly is accepted"}`,
        async () => {
          const size = 5 * 1024 * 1024 + extra;
          const body = new TextEncoder().encode(
            organizationEvent + " ".repeat(size - organizationEvent.length),
          );
          const request = await signedRequest({ body, url: `${base}/webhook` });
          await request.body?.cancel();
          const response = await fetch(`${base}/webhook`, {
            method: "POST",
            headers: request.headers,
            body: streamOf(body, 100_000),
          });
          if (extra) await assertError(response, 413, "RESOURCE_EXHAUSTED");
          else {
            assert.equal(response.status, 200);
            await response.body?.cancel();
          }
        },
      );
    }

    await t.step("answers a body cut off by the client with 400, not 500", async () => {
      const { port } = new URL(base);
      for (
        const head of [
          "Content-Length: 1000\r\n\r\n" + "x".repeat(200),
          "Transfer-Encoding: chunked\r\n\r\nc8\r\n" + "x".repeat(200) + "\r\n",
        ]
      ) {
        const conn = await Deno.connect({ hostname: "127.0.0.1", port: Number(port) });
        const request = `POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n${head}`;
        await conn.write(new TextEncoder().encode(request));
        await conn.closeWrite();
        const answer = new TextDecoder().decode(await new Response(conn.readable).arrayBuffer());
        assert.match(answer, /^HTTP\/1\.1 400 /, answer);
        assert.match(answer, /"code":"INVALID_ARGUMENT"/);
      }
    });

    await t.step("accepts a streamed body under the limit", async () => {
      const request = await signedRequest({ body: organizationEvent, url: `${base}/webhook` });
      const bytes = new TextEncoder().encode(organizationEvent);
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(bytes.slice(0, 10));
          controller.enqueue(bytes.slice(10));
          controller.close();
        },
      });
      const response = await fetch(`${base}/webhook`, {
        method: "POST",
        headers: request.headers,
        body: stream,
      });
      await request.body?.cancel();
      assert.equal(response.status, 200);
      await response.body?.cancel();
    });
  });
});

/** The `start` task's command, split into words: the tests run what users run. */
async function startTaskArgs(): Promise<string[]> {
  const { default: config } = await import("./deno.json", { with: { type: "json" } });
  const words = (config.tasks.start as string).split(/\s+/);
  assert.equal(words[0], "deno");
  return words.slice(1);
}

/**
 * Starts the `start` task's command with `env`, its stdout read as text. A
 * guard kills it after 20 s in case the test hangs; `done()` clears the guard.
 */
async function spawnStart(
  env: Record<string, string>,
  stderr: "piped" | "inherit" | "null",
) {
  const child = new Deno.Command("deno", {
    args: await startTaskArgs(),
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr,
  }).spawn();
  const stdout = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const guard = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch {
      // Already exited.
    }
  }, 20_000);
  return { child, stdout, done: () => clearTimeout(guard) };
}

Deno.test("main.ts exits 1 with one clear line when SIGNING_SECRET is missing", async () => {
  const args = await startTaskArgs();
  const output = await new Deno.Command("deno", {
    args,
    env: { SIGNING_SECRET: "", NO_COLOR: "1" },
    stdin: "null",
  }).output();
  const stderr = new TextDecoder().decode(output.stderr).trim();
  assert.equal(output.code, 1);
  assert.equal(stderr.split("\n").length, 1, stderr);
  assert.match(stderr, /^SIGNING_SECRET required.*\.env/);
  assert.doesNotMatch(stderr, /at .*\.ts:\d+/);
});

Deno.test("main.ts exits 1 with one clear line when PORT is not a port", async () => {
  const args = await startTaskArgs();
  const output = await new Deno.Command("deno", {
    args,
    env: { SIGNING_SECRET: SECRET, PORT: "eighty", NO_COLOR: "1" },
    stdin: "null",
  }).output();
  const stderr = new TextDecoder().decode(output.stderr).trim();
  assert.equal(output.code, 1);
  assert.equal(stderr, 'PORT "eighty" is not a valid port: use a number from 0 to 65535');
});

Deno.test("main.ts exits 1 with one clear line when PORT is taken", async () => {
  const args = await startTaskArgs();
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = String(listener.addr.port);
  const output = await new Deno.Command("deno", {
    args,
    env: { SIGNING_SECRET: SECRET, PORT: port, DEDUPE: "off", NO_COLOR: "1" },
    stdin: "null",
  }).output();
  const stderr = new TextDecoder().decode(output.stderr).trim();
  assert.equal(output.code, 1);
  assert.equal(stderr, `PORT ${port} is already in use: stop the other server, or set PORT`);
});

Deno.test("main.ts serves on PORT, prints where, and answers a signed challenge", async () => {
  // Duplicate protection on, in Deno's default KV location: under a DENO_DIR of the
  // test's own, never the user's. Empty DEDUPE and KV_PATH mean unset, whatever the shell has.
  await withScratchDir(async (denoDir) => {
    const { child, stdout: lines, done } = await spawnStart({
      SIGNING_SECRET: `whsec_other, ${SECRET}`,
      PORT: "0",
      DEDUPE: "",
      KV_PATH: "",
      DENO_DIR: denoDir,
    }, "inherit");
    try {
      const { value } = await lines.read();
      const match = value?.match(/^Listening on (http:\/\/127\.0\.0\.1:(\d+))$/m);
      assert.ok(match, `unexpected first output: ${value}`);
      const body = '{"challenge":"from-a-child"}';
      const request = await signedRequest({
        body,
        action: "challenge",
        timestamp: Math.floor(Date.now() / 1000),
        url: `${match[1]}/webhook`,
      });
      const response = await fetch(request);
      assert.equal(response.status, 200);
      assert.equal(await response.text(), body);
      // Its own write: it may come after the read that had the "Listening" line.
      let output = value ?? "";
      while (!/^Duplicate check (on|off)/m.test(output)) {
        const next = await lines.read();
        if (next.done) break;
        output += next.value;
      }
      assert.match(output, /^Duplicate check on: .*\(Deno's default location\)$/m);
    } finally {
      done();
      try {
        child.kill();
      } catch {
        // Already exited.
      }
      await lines.cancel();
      await child.status;
    }
  });
});

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  Deno.test(`main.ts stops on ${signal}: exits 0 with every log line written`, async () => {
    const { child, stdout, done } = await spawnStart(
      { SIGNING_SECRET: SECRET, PORT: "0", DEDUPE: "off" },
      "piped",
    );
    try {
      const { value } = await stdout.read();
      const url = value?.match(/^Listening on (http:\/\/127\.0\.0\.1:\d+)$/m)?.[1];
      assert.ok(url, `unexpected first output: ${value}`);
      // More lines than bufferConsole writes directly, so the last ones are buffered.
      for (let i = 0; i < 40; i++) {
        const response: Response = await fetch(
          await signedRequest({
            body: eventBody("users.changed", undefined, `evt_stop_${i}`),
            timestamp: Math.floor(Date.now() / 1000),
            url: `${url}/webhook`,
          }),
        );
        assert.equal(response.status, 200);
        await response.body?.cancel();
      }
      child.kill(signal);
      const status = await child.status;
      let rest = "";
      for (let chunk = await stdout.read(); !chunk.done; chunk = await stdout.read()) {
        rest += chunk.value;
      }
      const out = value + rest;
      assert.equal(status.code, 0, out);
      assert.equal(out.match(/^Event: users\.changed$/gm)?.length, 40, out);
      assert.match(
        out,
        new RegExp(`^Stopping \\(${signal}\\): finishing the calls in progress$`, "m"),
      );
      assert.equal(new TextDecoder().decode(await new Response(child.stderr).arrayBuffer()), "");
    } finally {
      done();
    }
  });
}

Deno.test("main.ts waits for a call in progress on SIGTERM, and a second SIGTERM exits at once", async () => {
  const { child, stdout, done } = await spawnStart(
    { SIGNING_SECRET: SECRET, PORT: "0", DEDUPE: "off" },
    "null",
  );
  let exited = false;
  child.status.then(() => exited = true);
  try {
    const { value } = await stdout.read();
    const port = Number(value?.match(/^Listening on http:\/\/127\.0\.0\.1:(\d+)$/m)?.[1]);
    assert.ok(port, `unexpected first output: ${value}`);
    // A call whose body never finishes arriving.
    using conn = await Deno.connect({ hostname: "127.0.0.1", port });
    await conn.write(
      new TextEncoder().encode(
        "POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{",
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    child.kill("SIGTERM");
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(exited, false, "the first SIGTERM did not wait for the call in progress");
    child.kill("SIGTERM");
    assert.equal((await child.status).code, 143);
  } finally {
    done();
    await stdout.cancel().catch(() => {});
  }
});

Deno.test("stopOnSignals() lets the server start where signals cannot be listened to", () => {
  const addSignalListener = Deno.addSignalListener;
  Deno.addSignalListener = () => {
    throw new TypeError("signals are not supported here");
  };
  try {
    stopOnSignals({ shutdown: () => Promise.resolve() } as unknown as Deno.HttpServer);
  } finally {
    Deno.addSignalListener = addSignalListener;
  }
});

import assert from "node:assert/strict";
import { createApp } from "../app.ts";
import { handlers as projectHandlers } from "../handlers/mod.ts";
import type { EventHandlers } from "../userhub/dispatch.ts";
import type { Event, EventType } from "../userhub/event.ts";
import { Webhook } from "../userhub/webhook.ts";
import { main } from "./cli.ts";
import { quietLogger, runCli, SECRET, serve, testdata, testRun } from "./_testing.ts";
import fixture from "./testdata/organization_payload.json" with { type: "json" };

const EVENT_TYPES: EventType[] = [
  "organizations.changed",
  "users.changed",
  "members.changed",
  "subscriptions.changed",
  "flows.changed",
];

/** An app whose handlers record each event, then run the project's own handler. */
function recordingApp() {
  const events: Event[] = [];
  const handlers: EventHandlers = Object.fromEntries(EVENT_TYPES.map((type) => [
    type,
    (event: Event) => {
      events.push(event);
    },
  ]));
  return { app: createApp({ secrets: [SECRET], logger: quietLogger, handlers }), events };
}

function parse(body: Uint8Array): Record<string, unknown> {
  return JSON.parse(new TextDecoder().decode(body));
}

Deno.test("main() delivers every event type to its handler and gets 200", async () => {
  const { app, events } = recordingApp();
  const server = serve(app);
  try {
    for (const type of EVENT_TYPES) {
      const { deps, out, err } = testRun();
      const code = await main([type, "--url", server.url], deps);
      assert.equal(code, 0, out.join("\n"));
      assert.deepEqual(err, []);
      const event = events.at(-1)!;
      assert.equal(event.type, type);
      assert.match(event.id, /^evt_[0-9A-Za-z]{22}$/);
      assert.equal(out[0], `Sending ${type} to ${server.url}`);
      assert.equal(
        out[1],
        `${type} ${event.id} → 200 OK (${out[1]!.split("(")[1]!.split(")")[0]}) {}`,
      );
      assert.equal(out.length, 2);
    }
    assert.deepEqual(events.map((event) => event.type), EVENT_TYPES);
    assert.deepEqual(
      server.received.map((call) => call.action),
      EVENT_TYPES.map(() => "events.handle"),
    );
  } finally {
    await server.close();
  }
});

Deno.test("main()'s samples run through the project's own handlers", async () => {
  const server = serve(createApp({ secrets: [SECRET], logger: quietLogger }));
  const log = console.log;
  const printed: string[] = [];
  console.log = (...args: unknown[]) => printed.push(args.join(" "));
  try {
    for (const type of EVENT_TYPES) {
      const { deps } = testRun();
      assert.equal(await main([type, "--url", server.url], deps), 0);
    }
  } finally {
    console.log = log;
    await server.close();
  }
  assert.equal(Object.keys(projectHandlers).length, EVENT_TYPES.length);
  for (const prefix of [" - Organization: org_", " - User: usr_", " - Member: org_"]) {
    assert.ok(printed.some((line) => line.startsWith(prefix)), `${prefix} in ${printed}`);
  }
  assert.ok(printed.some((line) => /^ - Subscription: sub_\w+ ACTIVE$/.test(line)));
  assert.ok(printed.some((line) => /^ - Flow: flw_\w+ JOIN_ORGANIZATION START$/.test(line)));
});

Deno.test("main() sends a challenge that the server echoes", async () => {
  const server = serve(createApp({ secrets: [SECRET], logger: quietLogger }));
  try {
    const { deps, out } = testRun();
    assert.equal(await main(["challenge", "--url", server.url], deps), 0);
    const [call] = server.received;
    assert.equal(call?.action, "challenge");
    const sent = new TextDecoder().decode(call!.body);
    assert.match(sent, /^\{"challenge":"[0-9A-Za-z]{22}"\}$/);
    assert.ok(out[1]!.startsWith("challenge → 200 OK ("), out[1]);
    assert.ok(out[1]!.endsWith(` ${sent}`), "the echoed body is printed");
  } finally {
    await server.close();
  }
});

Deno.test("main() --repeat sends identical bytes and signature; --count sends distinct events", async () => {
  const server = serve(recordingApp().app);
  try {
    const { deps, out } = testRun();
    const code = await main(
      ["users.changed", "--url", server.url, "--count", "2", "--repeat", "3"],
      deps,
    );
    assert.equal(code, 0);
    const calls = server.received;
    assert.equal(calls.length, 6);
    for (const group of [calls.slice(0, 3), calls.slice(3)]) {
      for (const copy of group.slice(1)) {
        assert.deepEqual(copy.body, group[0]!.body);
        assert.equal(copy.signature, group[0]!.signature);
        assert.equal(copy.timestamp, group[0]!.timestamp);
      }
    }
    assert.notEqual(parse(calls[0]!.body).id, parse(calls[3]!.body).id);
    assert.notEqual(calls[0]!.signature, calls[3]!.signature);
    assert.match(out.at(-1)!, /^6 calls in .+: 6 × 200 OK · p50 .+ ms · p99 .+ ms$/);
    assert.ok(out[0]!.endsWith("(2 distinct events, each sent 3 times)"), out[0]);
  } finally {
    await server.close();
  }
});

Deno.test("main() --count with --concurrency sends every event once", async () => {
  const { app, events } = recordingApp();
  const server = serve(app);
  try {
    const { deps, out } = testRun();
    const args = ["members.changed", "--url", server.url, "--count", "12", "--concurrency", "4"];
    assert.equal(await main(args, deps), 0);
    assert.equal(new Set(events.map((event) => event.id)).size, 12);
    assert.equal(out.filter((line) => line.startsWith("members.changed evt_")).length, 12);
    assert.match(out.at(-1)!, /^12 calls in .+: 12 × 200 OK · p50 /);
  } finally {
    await server.close();
  }
});

Deno.test("main() deliberately invalid calls are refused and counted as success", async (t) => {
  const server = serve(recordingApp().app);
  try {
    await t.step("--bad-signature gets 401 and exit code 0", async () => {
      const { deps, out } = testRun();
      assert.equal(
        await main(["organizations.changed", "--url", server.url, "--bad-signature"], deps),
        0,
      );
      assert.equal(server.received.at(-1)!.status, 401);
      assert.match(
        out[1]!,
        / → 401 Unauthorized \(.+\) \{"message":"Cannot verify webhook: no signature/,
      );
      assert.equal(out.at(-1), "The call was refused, as intended (bad signature)");
    });
    await t.step("--timestamp-offset beyond the window gets 401 and exit code 0", async () => {
      const { deps, out } = testRun();
      const code = await main(
        ["users.changed", "--url", server.url, "--timestamp-offset", "-600"],
        deps,
      );
      assert.equal(code, 0);
      assert.match(out[1]!, /401 Unauthorized.*600 s behind/);
    });
    await t.step("--timestamp-offset inside the window is still valid", async () => {
      const { deps, out } = testRun();
      const code = await main(
        ["users.changed", "--url", server.url, "--timestamp-offset", "120"],
        deps,
      );
      assert.equal(code, 0);
      assert.match(out[0]!, /inside the ±300 s window, so still valid/);
      assert.equal(server.received.at(-1)!.status, 200);
    });
    await t.step("a wrong secret gets 401, a hint and exit code 1", async () => {
      const { deps, out } = testRun();
      const code = await main(
        ["users.changed", "--url", server.url, "--secret", "whsec_other"],
        deps,
      );
      assert.equal(code, 1);
      assert.ok(out.some((line) => line.startsWith("401: the server refused the signature")));
      assert.equal(out.at(-1), "The call did not get a 2xx answer: exit code 1");
    });
  } finally {
    await server.close();
  }
});

Deno.test("cli.ts exit code reflects whether calls were refused", async () => {
  const server = serve(recordingApp().app);
  try {
    const refused = await runCli(["flows.changed", "--url", server.url, "--bad-signature"]);
    assert.equal(refused.code, 0, refused.stderr);
    assert.match(refused.stdout, /flows\.changed evt_\w+ → 401 Unauthorized/);
    assert.equal(refused.stderr, "");

    const accepted = await runCli(["flows.changed", "--url", server.url]);
    assert.equal(accepted.code, 0, accepted.stderr);
    assert.match(accepted.stdout, /flows\.changed evt_\w+ → 200 OK \(.+\) \{\}\n$/);

    const wrongSecret = await runCli(["flows.changed", "--url", server.url], {
      env: { SIGNING_SECRET: "whsec_other,whsec_test" },
    });
    assert.equal(wrongSecret.code, 1, "the first secret of a rotation list signs");
    assert.match(wrongSecret.stdout, /401 Unauthorized/);
  } finally {
    await server.close();
  }
});

Deno.test("cli.ts wraps a payload-only --data file in an Event envelope", async () => {
  const { app, events } = recordingApp();
  const server = serve(app);
  const file = testdata("organization_payload.json");
  try {
    const run = await runCli(["organizations.changed", "--url", server.url, "--data", file], {
      readable: file,
    });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const sent = parse(server.received[0]!.body);
    assert.deepEqual(Object.keys(sent), ["id", "time", "type", "organizationsChanged"]);
    assert.match(String(sent.id), /^evt_[0-9A-Za-z]{22}$/);
    assert.ok(!Number.isNaN(Date.parse(String(sent.time))));
    assert.equal(sent.type, "organizations.changed");
    assert.deepEqual(sent.organizationsChanged, fixture);
    assert.equal(events[0]?.type, "organizations.changed");
    assert.match(
      run.stdout,
      /^Sending organizations\.changed to .+ \(from ".+organization_payload\.json"\)\n/,
    );
  } finally {
    await server.close();
  }
});

Deno.test("cli.ts reports an unreachable URL in plain words, without a stack trace", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const run = await runCli(["organizations.changed", "--url", `http://127.0.0.1:${port}/webhook`]);
  assert.equal(run.code, 1);
  assert.equal(run.stderr, "");
  const lines = run.stdout.trimEnd().split("\n");
  assert.match(
    lines[1]!,
    new RegExp(`→ failed \\(.+\\) connection refused by 127\\.0\\.0\\.1:${port}$`),
  );
  assert.match(lines[2]!, /^Nothing is listening at http:\/\/127\.0\.0\.1:\d+: start the server/);
  assert.doesNotMatch(run.stdout, /^\s+at /m);
});

Deno.test("cli.ts answers usage mistakes with one line on stderr and exit code 2", async (t) => {
  const cases: [string, string[], RegExp][] = [
    [
      "unknown <what>",
      ["organisations.changed"],
      /^Unknown <what> "organisations\.changed" \(did you mean "organizations\.changed"\?\)/,
    ],
    [
      "unknown option",
      ["users.list", "--verbose"],
      /^Unknown option "--verbose": see deno task send --help$/,
    ],
    ["missing <what>", [], /^Missing <what>/],
    ["bad --count", ["users.list", "--count", "0"], /^--count "0" is not a whole number from 1/],
  ];
  for (const [name, args, message] of cases) {
    await t.step(name, async () => {
      const run = await runCli(args);
      assert.equal(run.code, 2);
      assert.equal(run.stdout, "");
      assert.equal(run.stderr.split("\n").filter(Boolean).length, 1, run.stderr);
      assert.match(run.stderr.trimEnd(), message);
    });
  }
  await t.step("no secret", async () => {
    const run = await runCli(["users.list"], { env: { SIGNING_SECRET: "" } });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /^No signing secret: set SIGNING_SECRET/);
  });
  await t.step("a --data file without read permission", async () => {
    const run = await runCli(["users.list", "--data", testdata("organization_payload.json")]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /^No permission to read --data ".+": answer Deno's prompt/);
  });
  await t.step("a host beyond this machine", async () => {
    const run = await runCli(["users.list", "--url", "https://hooks.example.com/webhook"]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /^No network permission for "hooks\.example\.com:443"/);
  });
});

Deno.test("cli.ts --list and --help exit 0", async () => {
  const list = await runCli(["--list"]);
  assert.equal(list.code, 0);
  assert.equal(list.stdout.trimEnd().split("\n").length, 11);
  const help = await runCli(["--help"]);
  assert.equal(help.code, 0);
  for (
    const option of [
      "--url",
      "--secret",
      "--data",
      "--set",
      "--count",
      "--repeat",
      "--concurrency",
      "--timestamp-offset",
      "--bad-signature",
      "--list",
      "Examples:",
    ]
  ) {
    assert.ok(help.stdout.includes(option), option);
  }
});

Deno.test("main() sends realistic users.* bodies; a server without handlers answers 501", async (t) => {
  const inputs = new Map<string, unknown>();
  const webhook = new Webhook({ secret: SECRET, logger: quietLogger });
  const user = { id: "user-1", displayName: "Jane Doe" };
  webhook
    .onAction("users.list", (input) => (inputs.set("users.list", input), { users: [user] }))
    .onAction("users.get", (input) => (inputs.set("users.get", input), user))
    .onAction("users.create", (input) => (inputs.set("users.create", input), input))
    .onAction("users.update", (input) => (inputs.set("users.update", input), input))
    .onAction("users.delete", (input) => (inputs.set("users.delete", input), {}));
  const withHandlers = serve((request) => webhook.handleFromWeb(request));
  const without = serve(createApp({ secrets: [SECRET], logger: quietLogger }));
  const actions = ["users.list", "users.get", "users.create", "users.update", "users.delete"];
  try {
    await t.step("each action reaches its handler and gets 200", async () => {
      for (const action of actions) {
        const { deps, out } = testRun();
        assert.equal(await main([action, "--url", withHandlers.url], deps), 0, out.join("\n"));
        assert.match(out[1]!, new RegExp(`^${action.replace(".", "\\.")} → 200 OK `));
      }
      assert.deepEqual(inputs.get("users.list"), { pageSize: 10 });
      assert.match(String((inputs.get("users.get") as { id: string }).id), /^user-\d+$/);
      assert.deepEqual(Object.keys(inputs.get("users.delete") as object), ["id"]);
      for (const action of ["users.create", "users.update"]) {
        assert.deepEqual(Object.keys(inputs.get(action) as object).sort(), [
          "disabled",
          "displayName",
          "email",
          "emailVerified",
          "id",
          "imageUrl",
          "phoneNumber",
          "phoneNumberVerified",
        ]);
      }
    });
    await t.step("the project's app answers 501, printed with a hint; exit code 1", async () => {
      const { deps, out } = testRun();
      assert.equal(
        await main(["users.list", "--url", without.url, "--set", "pageSize=2"], deps),
        1,
      );
      assert.equal(JSON.parse(new TextDecoder().decode(without.received[0]!.body)).pageSize, 2);
      assert.match(
        out[1]!,
        /^users\.list → 501 Not Implemented \(.+\) \{"message":"Handler not implemented: users\.list","code":"UNIMPLEMENTED"\}$/,
      );
      assert.match(out[2]!, /^501: the server has no handler for users\.list/);
    });
  } finally {
    await withHandlers.close();
    await without.close();
  }
});

Deno.test("main() reads --data from stdin and applies --set to the event's object", async () => {
  const { app, events } = recordingApp();
  const server = serve(app);
  try {
    const envelope = {
      id: "evt_fixed",
      time: "2026-11-26T12:00:00.000Z",
      type: "users.changed",
      usersChanged: { user: { id: "usr_1", state: "ACTIVE", view: "BASIC" } },
    };
    const { deps } = testRun({
      readStdin: () => Promise.resolve(new TextEncoder().encode(JSON.stringify(envelope))),
    });
    const args = ["users.changed", "--url", server.url, "--data", "-", "--set", "displayName=Ada"];
    assert.equal(await main(args, deps), 0);
    const sent = parse(server.received[0]!.body);
    assert.equal(sent.id, "evt_fixed", "a whole Event keeps its id");
    assert.deepEqual(sent.usersChanged, {
      user: { ...envelope.usersChanged.user, displayName: "Ada" },
    });
    assert.equal(events.length, 1);
  } finally {
    await server.close();
  }
});

Deno.test("main() refuses --data of another event type, before sending anything", async () => {
  const { deps, out, err } = testRun({
    readFile: () =>
      Promise.resolve(new TextEncoder().encode('{"type":"users.changed","usersChanged":{}}')),
    permissions: {
      query: () => Promise.resolve({ state: "granted" } as Deno.PermissionStatus),
      request: () => Promise.reject(new Error("not asked")),
    },
  });
  const code = await main([
    "organizations.changed",
    "--url",
    "http://127.0.0.1:9/webhook",
    "--data",
    "x.json",
  ], deps);
  assert.equal(code, 2);
  assert.deepEqual(out, []);
  assert.deepEqual(err, [
    'Cannot use --data: it holds a "users.changed" event, not "organizations.changed"',
  ]);
});

import assert from "node:assert/strict";
import { main } from "./cli.ts";
import {
  createApp,
  EVENT_TYPE_NAMES,
  parse,
  projectHandlers,
  quietLogger,
  recordingApp,
  SECRET,
  serve,
  testRun,
} from "./_testing.ts";

Deno.test("main() delivers every event type to its handler and gets 200", async () => {
  const { app, events } = recordingApp();
  const server = serve(app);
  try {
    for (const type of EVENT_TYPE_NAMES) {
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
    assert.deepEqual(events.map((event) => event.type), EVENT_TYPE_NAMES);
    assert.deepEqual(
      server.received.map((call) => call.action),
      EVENT_TYPE_NAMES.map(() => "events.handle"),
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
    for (const type of EVENT_TYPE_NAMES) {
      const { deps } = testRun();
      assert.equal(await main([type, "--url", server.url], deps), 0);
    }
  } finally {
    console.log = log;
    await server.close();
  }
  assert.equal(Object.keys(projectHandlers).length, EVENT_TYPE_NAMES.length);
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

Deno.test("main() reads --data from stdin and applies --set to the event's object", async () => {
  const { app, events } = recordingApp();
  const server = serve(app);
  try {
    const envelope = {
      id: "evt_fixed",
      time: "2026-11-26T12:00:00.000Z",
      type: "users.changed",
      usersChanged: {
        user: {
          id: "usr_1",
          state: "ACTIVE",
          view: "BASIC",
          createTime: "2026-11-26T11:00:00.000Z",
          updateTime: "2026-11-26T11:00:00.000Z",
        },
      },
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

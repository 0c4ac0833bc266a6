import assert from "node:assert/strict";
import { SAMPLE_PAYLOADS, withScratchDir } from "../tests/fixtures.ts";
import { parse, recordingApp, runCli, serve } from "./_testing.ts";
import { TARGETS } from "./targets.ts";

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
  const payload = SAMPLE_PAYLOADS["organizations.changed"].organizationsChanged;
  try {
    await withScratchDir(async (dir) => {
      const file = `${dir}/organization_payload.json`;
      await Deno.writeTextFile(file, JSON.stringify(payload, null, 2));
      const run = await runCli(["organizations.changed", "--url", server.url, "--data", file], {
        readable: file,
      });
      assert.equal(run.code, 0, run.stdout + run.stderr);
      const sent = parse(server.received[0]!.body);
      assert.deepEqual(Object.keys(sent), ["id", "time", "type", "organizationsChanged"]);
      assert.match(String(sent.id), /^evt_[0-9A-Za-z]{22}$/);
      assert.ok(!Number.isNaN(Date.parse(String(sent.time))));
      assert.equal(sent.type, "organizations.changed");
      assert.deepEqual(sent.organizationsChanged, payload);
      assert.equal(events[0]?.type, "organizations.changed");
      assert.match(
        run.stdout,
        /^Sending organizations\.changed to .+ \(from ".+organization_payload\.json"\)\n/,
      );
    });
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
    const run = await runCli(["users.list", "--data", import.meta.filename!]);
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
  assert.equal(list.stdout.trimEnd().split("\n").length, Object.keys(TARGETS).length);
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

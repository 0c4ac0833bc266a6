/**
 * `main.ts` started as a process, as `deno task start` starts it: one clear
 * line and exit 1 for a bad configuration, serving on `PORT`, and the
 * graceful stop on SIGTERM and SIGINT.
 *
 * @module
 */

import assert from "node:assert/strict";
import { stopOnSignals } from "../main.ts";
import { eventBody, SECRET, signedRequest } from "./fixtures.ts";
import { runStart, Server, spawnStart, startTaskArgs } from "./_process.ts";

Deno.test("main.ts exits 1 with one clear line when SIGNING_SECRET is missing", async () => {
  const { code, stderr } = await runStart({ SIGNING_SECRET: "" });
  assert.equal(code, 1);
  assert.equal(stderr.split("\n").length, 1, stderr);
  assert.match(stderr, /^SIGNING_SECRET required.*\.env/);
  assert.doesNotMatch(stderr, /at .*\.ts:\d+/);
});

Deno.test("main.ts exits 1 with one clear line when PORT is not a port", async () => {
  const { code, stderr } = await runStart({ SIGNING_SECRET: SECRET, PORT: "eighty" });
  assert.equal(code, 1);
  assert.equal(stderr, 'PORT "eighty" is not a valid port: use a number from 0 to 65535');
});

Deno.test("main.ts exits 1 with one clear line when PORT is taken", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = String(listener.addr.port);
  const { code, stderr } = await runStart({ SIGNING_SECRET: SECRET, PORT: port, DEDUPE: "off" });
  assert.equal(code, 1);
  assert.equal(stderr, `PORT ${port} is already in use: stop the other server, or set PORT`);
});

Deno.test("main.ts serves on PORT, prints where, and answers a signed challenge", async () => {
  // Duplicate protection on, in Deno's default KV location: in memory (PROCESS_ENV), never
  // the user's. Empty DEDUPE and KV_PATH mean unset, whatever the shell has.
  const { child, stdout: lines, done } = await spawnStart({
    SIGNING_SECRET: `whsec_other, ${SECRET}`,
    PORT: "0",
    DEDUPE: "",
    KV_PATH: "",
  }, "inherit");
  try {
    const { value } = await lines.read();
    const match = value?.match(/^Listening on .*?(http:\/\/127\.0\.0\.1:(\d+))( here)?$/m);
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

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  Deno.test(`main.ts stops on ${signal}: exits 0 with every log line written`, async () => {
    const { child, stdout, done } = await spawnStart(
      { SIGNING_SECRET: SECRET, PORT: "0", DEDUPE: "off" },
      "piped",
    );
    try {
      const { value } = await stdout.read();
      const url = value?.match(/^Listening on .*?(http:\/\/127\.0\.0\.1:\d+)( here)?$/m)?.[1];
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
    const port = Number(
      value?.match(/^Listening on .*?http:\/\/127\.0\.0\.1:(\d+)( here)?$/m)?.[1],
    );
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

Deno.test("main.ts starts with an --allow-env that leaves out its optional variables, as unset", async () => {
  const args = (await startTaskArgs()).map((word) =>
    word.startsWith("--allow-env=") ? "--allow-env=SIGNING_SECRET,PORT" : word
  );
  // DEDUPE=off and HOSTNAME are not readable here, so unset: the duplicate check stays on (in
  // Deno's default KV location: in memory, PROCESS_ENV), on every interface.
  const env = { SIGNING_SECRET: SECRET, DEDUPE: "off", HOSTNAME: "127.0.0.1" };
  const server = await new Server(args, env).listening();
  try {
    const dedupe = await server.waitFor(/^Duplicate check (on|off).*$/m);
    assert.match(dedupe[0], /^Duplicate check on/);
  } finally {
    assert.equal(await server.stop(), 0, server.output);
  }
  assert.doesNotMatch(server.output, /NotCapable/);
});

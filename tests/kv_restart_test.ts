/**
 * `main.ts` started as a process remembers the events it handled across a
 * restart, in Deno KV: in Deno's default location with the `start` task's
 * flags alone, or in the file `KV_PATH` with permission for that file only.
 *
 * @module
 */

import assert from "node:assert/strict";
import { eventBody, SAMPLE_PAYLOADS, SECRET, withScratchDir } from "./fixtures.ts";
import { Server, startTaskArgs } from "./_process.ts";

const { user } = SAMPLE_PAYLOADS["users.changed"].usersChanged;

/** Sends one event twice to a fresh server, restarts it, and sends it again. */
async function assertRemembersAcrossRestart(args: string[], env: Record<string, string>) {
  const id = `evt_${crypto.randomUUID().replaceAll("-", "")}`;
  const body = eventBody("users.changed", undefined, id);
  const duplicate = new RegExp(
    `^Duplicate: ${id} \\(users\\.changed\\) already handled, skipped$`,
    "m",
  );

  const first = await new Server(args, env).listening();
  try {
    // Its own write: it may reach the pipe after the "Listening" line was read.
    await first.waitFor(/^Duplicate check on/m);
    assert.equal(await first.send(body), 200);
    await first.waitFor(new RegExp(`^ - User: ${user.id} ${user.displayName}$`, "m"));
    assert.equal(await first.send(body), 200);
    await first.waitFor(duplicate);
  } finally {
    // A graceful stop, KV closed, is an exit 0.
    assert.equal(await first.stop(), 0, first.output);
  }
  assert.equal(first.output.match(/^Event: users\.changed$/gm)?.length, 1, first.output);

  const restarted = await new Server(args, env).listening();
  try {
    assert.equal(await restarted.send(body), 200);
    await restarted.waitFor(duplicate);
  } finally {
    await restarted.stop();
  }
  assert.doesNotMatch(restarted.output, /^Event: users\.changed$/m, restarted.output);
}

Deno.test("main.ts remembers handled events across a restart, with the start task's flags and no file permission", async () => {
  // Deno's default KV location is keyed by the program, or by --location: this test's own
  // origin keeps its store apart from the user's, with no DENO_DIR (and no package download)
  // of its own. Each event id is new, so what earlier runs left there does not matter.
  const args = await startTaskArgs();
  args.splice(-1, 0, "--location=http://kv-restart-test.userhub-webhooks.invalid/");
  await assertRemembersAcrossRestart(args, { SIGNING_SECRET: SECRET, DENO_KV_DB_MODE: "disk" });
});

Deno.test("main.ts with KV_PATH needs read and write permission for that file only", async (t) => {
  await withScratchDir(async (dir) => {
    const path = `${dir}/kv.sqlite3`;
    const env = { SIGNING_SECRET: SECRET, KV_PATH: path, DENO_KV_DB_MODE: "disk" };
    const args = await startTaskArgs();

    await t.step("without it, exits 1 with the flags to add", async () => {
      const server = new Server(args, env);
      assert.equal(await server.exited(), 1);
      assert.equal(
        server.output.trim(),
        `KV_PATH "${path}" needs permission for that file only: ` +
          `run with --allow-read=${path} --allow-write=${path}`,
      );
    });

    await t.step("with it, remembers across a restart", async () => {
      const scoped = [
        ...args.slice(0, -1),
        `--allow-read=${path}`,
        `--allow-write=${path}`,
        args.at(-1)!,
      ];
      await assertRemembersAcrossRestart(scoped, env);
    });
  });
});

/**
 * The browser check's deadline: a wait that does not end fails with what it
 * waited for, and its work is told to stop.
 *
 * @module
 */

import assert from "node:assert/strict";
import { within } from "./_dev_server.ts";

Deno.test("within() fails after its deadline with what was awaited, and aborts the work", async () => {
  let signal: AbortSignal | undefined;
  await assert.rejects(
    () =>
      within(50, "the Console: line", (aborted) => {
        signal = aborted;
        return new Promise<never>((_, reject) => aborted.addEventListener("abort", reject));
      }),
    /^Error: the Console: line: no end after 0\.05 s$/,
  );
  assert.equal(signal?.aborted, true);
});

Deno.test("within() settles as its work does before the deadline", async () => {
  assert.equal(await within(1000, "a quick answer", Promise.resolve(42)), 42);
  await assert.rejects(() => within(1000, "a failure", Promise.reject(new Error("boom"))), /boom/);
});

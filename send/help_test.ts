import assert from "node:assert/strict";
import { EVENT_TYPES } from "../userhub/mod.ts";
import { HELP, listText } from "./help.ts";
import { TARGETS } from "./targets.ts";

Deno.test("HELP lists every target under <what>, grouped by kind", () => {
  const start = HELP.indexOf("<what> is one of");
  const block = HELP.slice(start, HELP.indexOf("\n\nOptions:")).split("\n").slice(1);
  const challenge = block.indexOf("  challenge");
  const names = (lines: string[]) => lines.join(" ").trim().split(/\s+/);
  assert.deepEqual(names(block.slice(0, challenge)), Object.keys(EVENT_TYPES));
  assert.deepEqual(block.slice(challenge + 1), [
    "  users.list  users.get  users.create  users.update  users.delete",
  ]);
  for (const line of block) assert.ok(line.length <= 98, line);
  assert.deepEqual(names(block).sort(), Object.keys(TARGETS).sort());
});

Deno.test("listText() gives each target its action and description", () => {
  const lines = listText().split("\n");
  assert.equal(lines.length, Object.keys(TARGETS).length);
  assert.match(lines[0]!, /^organizations\.changed +events\.handle +an organization was created/);
  assert.match(lines.at(-1)!, /^users\.delete +users\.delete +custom user connection: delete/);
});

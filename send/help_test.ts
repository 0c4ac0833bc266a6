import assert from "node:assert/strict";
import { HELP, listText } from "./help.ts";
import { TARGETS } from "./targets.ts";

Deno.test("HELP lists every target under <what>, grouped by kind", () => {
  const start = HELP.indexOf("<what> is one of");
  const block = HELP.slice(start, HELP.indexOf("\n\nOptions:")).split("\n").slice(1);
  assert.deepEqual(block, [
    "  organizations.changed  users.changed  members.changed  subscriptions.changed  flows.changed",
    "  challenge",
    "  users.list  users.get  users.create  users.update  users.delete",
  ]);
  const listed = block.join(" ").trim().split(/\s+/);
  assert.deepEqual(listed.sort(), Object.keys(TARGETS).sort());
});

Deno.test("listText() gives each target its action and description", () => {
  const lines = listText().split("\n");
  assert.equal(lines.length, Object.keys(TARGETS).length);
  assert.match(lines[0]!, /^organizations\.changed +events\.handle +an organization was created/);
  assert.match(lines.at(-1)!, /^users\.delete +users\.delete +custom user connection: delete/);
});

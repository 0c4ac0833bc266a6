import assert from "node:assert/strict";
import { consoleLogger, printableError } from "./log.ts";
import { line, printable } from "./log.ts";

Deno.test("printable() escapes every control character and leaves the rest", () => {
  assert.equal(printable("Jane Doe, Zoë 李 🙂"), "Jane Doe, Zoë 李 🙂");
  assert.equal(printable("a\nb\rc\td"), "a\\nb\\rc\\td");
  assert.equal(
    printable("\u001b[2J\u0000\u007f\u0085\u2028"),
    "\\u001b[2J\\u0000\\u007f\\u0085\\u2028",
  );
  for (let code = 0; code < 0x20; code++) {
    const escaped = printable(`x${String.fromCharCode(code)}y`);
    assert.ok([...escaped].every((char) => char.charCodeAt(0) >= 0x20), escaped);
  }
});

Deno.test("line`` escapes the values, not the template, and prints a missing value as nothing", () => {
  const name = "Jane\r\nEvent: organizations.changed\u001b[31m";
  assert.equal(
    line` - User: ${"usr_1"} ${name}`,
    " - User: usr_1 Jane\\r\\nEvent: organizations.changed\\u001b[31m",
  );
  assert.equal(line` - User: ${"usr_1"} ${undefined}`, " - User: usr_1 ");
  assert.equal(line`${null}|${0}|${false}`, "|0|false");
});

Deno.test("consoleLogger writes each message on one line, an error's message too", () => {
  const printed: unknown[][] = [];
  const { log, warn, error } = console;
  console.log = console.warn = console.error = (...args: unknown[]) => void printed.push(args);
  try {
    consoleLogger.info("Event: x\nforged");
    consoleLogger.warn("Refused users.get (400): bad\r\nline");
    const thrown = new Error("bad name: Jane\nEvent: forged", { cause: new Error("db\u001b[2J") });
    consoleLogger.error("Handler failed for event evt_1 (users.changed):", thrown);
  } finally {
    Object.assign(console, { log, warn, error });
  }
  assert.deepEqual(printed[0], ["Event: x\\nforged"]);
  assert.deepEqual(printed[1], ["Refused users.get (400): bad\\r\\nline"]);
  const [message, detail] = printed[2] as [string, string];
  assert.equal(message, "Handler failed for event evt_1 (users.changed):");
  const lines = detail.split("\n");
  assert.equal(lines[0], "Error: bad name: Jane\\nEvent: forged");
  assert.ok(lines.slice(1).some((frame) => frame.startsWith("    at ")));
  assert.ok(lines.includes("Caused by Error: db\\u001b[2J"), detail);
  assert.ok(lines.every((text) => !text.startsWith("Event:")));
});

Deno.test("printableError() prints a thrown value that is not an Error on one line", () => {
  assert.equal(printableError("boom\nEvent: x"), "boom\\nEvent: x");
  assert.equal(printableError({ why: "a\nb" }), '{ why: "a\\nb" }');
});

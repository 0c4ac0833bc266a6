import assert from "node:assert/strict";

const SCRIPT = `
import { bufferConsole } from "./userhub/logger.ts";
bufferConsole({ directLines: 2 });
console.log("one");
console.error("two");
console.log("three", "four");
console.log({ five: 5 });
console.info("100%");
console.warn("six %s", "seven");
setTimeout(() => {
  console.log("eight");
  if (Deno.args[0] === "signal") {
    console.log("nine");
    Deno.kill(Deno.pid, "SIGTERM");
    setTimeout(() => console.log("not printed"), 1000);
  }
}, 10);
`;

async function run(mode: string): Promise<{ code: number; signal: string | null; out: string }> {
  const output = await new Deno.Command("deno", {
    args: ["eval", "--ext=ts", SCRIPT, mode],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    signal: output.signal,
    out: `${decoder.decode(output.stdout)}|${decoder.decode(output.stderr)}`,
  };
}

Deno.test("bufferConsole() writes every line, in order, on exit; a signal still ends the process", async (t) => {
  await t.step("at exit", async () => {
    const { code, out } = await run("exit");
    assert.equal(code, 0);
    assert.equal(
      out,
      "one\nthree four\n{ five: 5 }\n100%\neight\n|two\nsix seven\n",
    );
  });
  await t.step("on SIGTERM, which it does not catch: the lines of that turn are lost", async () => {
    const { signal, out } = await run("signal");
    assert.equal(signal, "SIGTERM");
    assert.equal(out, "one\nthree four\n{ five: 5 }\n100%\n|two\nsix seven\n");
  });
});

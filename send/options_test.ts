import assert from "node:assert/strict";
import { type Command, parseCommand, parseSetValue, type SendOptions } from "./options.ts";
import { UsageError } from "./usage_error.ts";

const ENV = new Map([["SIGNING_SECRET", "whsec_new, whsec_old"]]);

function options(args: string[], env = ENV): SendOptions {
  const command: Command = parseCommand(args, env);
  assert.equal(command.kind, "send");
  return (command as { options: SendOptions }).options;
}

function assertUsage(args: string[], message: RegExp, env = ENV) {
  assert.throws(
    () => parseCommand(args, env),
    (error) =>
      error instanceof UsageError && message.test(error.message) && !error.message.includes("\n"),
  );
}

Deno.test("parseCommand() applies the defaults", () => {
  assert.deepEqual(options(["organizations.changed"]), {
    target: "organizations.changed",
    url: new URL("http://127.0.0.1:8000/webhook"),
    secret: "whsec_new",
    sets: [],
    count: 1,
    repeat: 1,
    concurrency: 1,
    timestampOffset: 0,
    badSignature: false,
    timeout: 10,
  });
  const port = options(["challenge"], new Map([["SIGNING_SECRET", "s"], ["PORT", "9000"]]));
  assert.equal(port.url.href, "http://127.0.0.1:9000/webhook");
});

Deno.test("parseCommand() reads every option, in both spellings", () => {
  const parsed = options([
    "--url=http://localhost:3000/hooks",
    "users.update",
    "--secret",
    "whsec_cli",
    "--data",
    "-",
    "--set",
    "displayName=Acme",
    "--set=disabled=true",
    "--count",
    "3",
    "--repeat=2",
    "--concurrency",
    "4",
    "--timestamp-offset",
    "-600",
    "--bad-signature",
    "--timeout",
    "2.5",
  ]);
  assert.deepEqual(parsed, {
    target: "users.update",
    url: new URL("http://localhost:3000/hooks"),
    secret: "whsec_cli",
    data: "-",
    sets: [["displayName", "Acme"], ["disabled", true]],
    count: 3,
    repeat: 2,
    concurrency: 4,
    timestampOffset: -600,
    badSignature: true,
    timeout: 2.5,
  });
});

Deno.test("parseCommand() lets --help and --list win", () => {
  assert.deepEqual(parseCommand(["nonsense", "--help"], new Map()), { kind: "help" });
  assert.deepEqual(parseCommand(["-h"], new Map()), { kind: "help" });
  assert.deepEqual(parseCommand(["--list", "--bogus"], new Map()), { kind: "list" });
});

Deno.test("parseCommand() refuses mistakes with a one-line message", () => {
  assertUsage([], /^Missing <what>/);
  assertUsage(
    ["user.changed"],
    /^Unknown <what> "user\.changed" \(did you mean "users\.changed"\?\)/,
  );
  assertUsage(["xyz"], /^Unknown <what> "xyz": see deno task send --list$/);
  assertUsage(["users.list", "users.get"], /^Unexpected argument "users\.get"/);
  assertUsage(
    ["users.list", "--cont", "2"],
    /^Unknown option "--cont" \(did you mean "--count"\?\)/,
  );
  assertUsage(["users.list", "-x"], /^Unknown option "-x"/);
  assertUsage(["users.list", "--count"], /^Option "--count" needs a value/);
  assertUsage(["users.list", "--count", "1", "--count", "2"], /^Option "--count" is given twice/);
  assertUsage(["users.list", "--bad-signature=yes"], /^Option "--bad-signature" takes no value/);
  assertUsage(["users.list", "--count", "1.5"], /^--count "1\.5" is not a whole number/);
  assertUsage(["users.list", "--repeat", "0"], /^--repeat "0" is not a whole number from 1/);
  assertUsage(["users.list", "--concurrency", "5000"], /^--concurrency "5000"/);
  assertUsage(["users.list", "--timestamp-offset", "soon"], /^--timestamp-offset "soon"/);
  assertUsage(["users.list", "--timeout", "0"], /^--timeout "0"/);
  assertUsage(["users.list", "--set", "=1"], /^--set "=1" is not key=value/);
  assertUsage(["users.list", "--url", "127.0.0.1:8000"], /^--url "127\.0\.0\.1:8000" is not a URL/);
  assertUsage(["users.list", "--url", "ftp://host/webhook"], /^--url "ftp:.+" is not an http/);
  assertUsage(["users.list", "--url", "nope"], /^--url "nope" is not a URL/);
  assertUsage(["users.list"], /^No signing secret: set SIGNING_SECRET/, new Map());
  assertUsage(
    ["users.list"],
    /^PORT "abc" is not a port/,
    new Map([["SIGNING_SECRET", "s"], ["PORT", "abc"]]),
  );
});

Deno.test("parseCommand() treats everything after -- as <what>", () => {
  assert.equal(options(["--count", "2", "--", "users.list"]).target, "users.list");
  assertUsage(["--", "--list"], /^Unknown <what> "--list"/);
});

Deno.test("parseSetValue() reads JSON when it is JSON, text otherwise", () => {
  assert.equal(parseSetValue("42"), 42);
  assert.equal(parseSetValue("true"), true);
  assert.equal(parseSetValue("null"), null);
  assert.equal(parseSetValue('"007"'), "007");
  assert.deepEqual(parseSetValue('{"city":"Oslo"}'), { city: "Oslo" });
  assert.equal(parseSetValue("Acme, Inc."), "Acme, Inc.");
  assert.equal(parseSetValue("+14155550132"), "+14155550132");
  assert.equal(parseSetValue(""), "");
});

Deno.test("parseCommand() says what parseArgs refuses in the sender's own words", () => {
  assertUsage(
    ["users.list", "-count", "2"],
    /^Unknown option "-count" \(did you mean "--count"\?\)/,
  );
  assertUsage(["users.list", "-hx"], /^Unknown option "-hx": see deno task send --help$/);
  assertUsage(
    ["users.list", "--cont=2"],
    /^Unknown option "--cont=2" \(did you mean "--count"\?\)/,
  );
  assertUsage(["users.list", "--count", "--", "x"], /^Option "--count" needs a value: see/);
  assertUsage(["users.list", "--help=1"], /^Option "--help" takes no value$/);
  assertUsage(["users.list", "--count", "-1"], /^--count "-1" is not a whole number from 1/);
  assertUsage(["users.list", "--url", "--count"], /^--url "--count" is not a URL/);
  assertUsage(["users.list", "--count=1", "--count", "2"], /^Option "--count" is given twice/);
  assertUsage(["users.list", "--count", "1", "--count", "2", "--nope"], /is given twice/);
});

Deno.test("parseCommand() takes a value that starts with a dash", () => {
  assert.equal(options(["users.list", "--timestamp-offset", "-600"]).timestampOffset, -600);
  assert.equal(options(["users.list", "--data", "-"]).data, "-");
  assert.equal(options(["users.list", "--secret", "-s"]).secret, "-s");
  assert.deepEqual(options(["users.list", "--set", "-k=1", "--set", "a=--"]).sets, [
    ["-k", 1],
    ["a", "--"],
  ]);
  assert.equal(options(["users.list", "--bad-signature", "--bad-signature"]).badSignature, true);
});

Deno.test("parseCommand() reads PORT as the server does, but will not send to port 0", () => {
  const env = (port: string) => new Map([["SIGNING_SECRET", "s"], ["PORT", port]]);
  assert.equal(options(["challenge"], env(" 9000 ")).url.href, "http://127.0.0.1:9000/webhook");
  assertUsage(["challenge"], /^PORT "0" is not a port to send to: use 1 to 65535/, env("0"));
  assertUsage(["challenge"], /^PORT "65536" is not a port to send to/, env("65536"));
});

Deno.test("parseCommand() allows --count up to 300 for users.*, a signed second each", () => {
  assert.equal(options(["users.list", "--count", "300"]).count, 300);
  assertUsage(["users.list", "--count", "301"], /^Option "--count" is 301: at most 300 distinct/);
  assert.equal(options(["users.changed", "--count", "301"]).count, 301);
});

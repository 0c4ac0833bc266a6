/**
 * `loadConfig()`: the environment variables the server reads, their defaults,
 * and the one-line `ConfigError` for a value it cannot use.
 *
 * @module
 */

import assert from "node:assert/strict";
import { ConfigError, loadConfig } from "./config.ts";
import { SECRET } from "./tests/fixtures.ts";

const env = (vars: Record<string, string>) => new Map(Object.entries(vars));

Deno.test("loadConfig() reads the secrets and defaults PORT to 8000", () => {
  assert.deepEqual(loadConfig(env({ SIGNING_SECRET: "whsec_a" })), {
    secrets: ["whsec_a"],
    port: 8000,
  });
});

Deno.test("loadConfig() reads several secrets for rotation", () => {
  const config = loadConfig(env({ SIGNING_SECRET: "whsec_old, whsec_new" }));
  assert.deepEqual(config.secrets, ["whsec_old", "whsec_new"]);
});

Deno.test("loadConfig() refuses a missing or blank SIGNING_SECRET", () => {
  for (const vars of [{}, { SIGNING_SECRET: "" }, { SIGNING_SECRET: " , " }]) {
    assert.throws(() => loadConfig(env(vars)), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /^SIGNING_SECRET required/);
      assert.match(error.message, /\.env/);
      return true;
    });
  }
});

Deno.test("loadConfig() reads PORT and refuses one that is not a port", () => {
  assert.equal(loadConfig(env({ SIGNING_SECRET: "s", PORT: "9090" })).port, 9090);
  assert.equal(loadConfig(env({ SIGNING_SECRET: "s", PORT: "0" })).port, 0);
  assert.equal(loadConfig(env({ SIGNING_SECRET: "s", PORT: "" })).port, 8000);
  for (const port of ["http", "80.5", "-1", "65536", "1e3", "0x50"]) {
    assert.throws(
      () => loadConfig(env({ SIGNING_SECRET: "s", PORT: port })),
      (error: unknown) => error instanceof ConfigError && error.message.includes(`"${port}"`),
      port,
    );
  }
});

Deno.test("loadConfig() reads DEDUPE and KV_PATH", async (t) => {
  const load = (vars: Record<string, string>) =>
    loadConfig(new Map(Object.entries({ SIGNING_SECRET: SECRET, ...vars })));

  await t.step("on by default, in Deno's default location", () => {
    const config = load({});
    assert.equal(config.dedupe, undefined);
    assert.equal(config.kvPath, undefined);
    assert.equal(load({ DEDUPE: "", KV_PATH: " " }).kvPath, undefined);
  });

  await t.step("DEDUPE=on or off, in any case", () => {
    assert.equal(load({ DEDUPE: "on" }).dedupe, undefined);
    assert.equal(load({ DEDUPE: "off" }).dedupe, false);
    assert.equal(load({ DEDUPE: " OFF " }).dedupe, false);
  });

  await t.step("refuses any other DEDUPE", () => {
    for (const value of ["maybe", "no", "0", "false"]) {
      assert.throws(
        () => load({ DEDUPE: value }),
        (error: unknown) =>
          error instanceof ConfigError &&
          error.message === `DEDUPE "${value}" is not valid: use "on" (the default) or "off"`,
      );
    }
  });

  await t.step("KV_PATH is a file path, not a URL", () => {
    assert.equal(
      load({ KV_PATH: "/var/lib/webhooks/kv.sqlite3" }).kvPath,
      "/var/lib/webhooks/kv.sqlite3",
    );
    assert.throws(
      () => load({ KV_PATH: "https://api.deno.com/databases/x/connect" }),
      (error: unknown) => error instanceof ConfigError && /is a URL/.test(error.message),
    );
  });
});

Deno.test("loadConfig() reads HOSTNAME: every interface by default, or the one named", () => {
  const load = (value: string | undefined) => {
    const env = new Map([["SIGNING_SECRET", SECRET]]);
    if (value !== undefined) env.set("HOSTNAME", value);
    return loadConfig(env);
  };
  for (const value of [undefined, "", "  "]) assert.equal(load(value).hostname, undefined);
  assert.equal(load(" 127.0.0.1 ").hostname, "127.0.0.1");
  assert.equal(load("::1").hostname, "::1");
});

import assert from "node:assert/strict";
import { ConfigError, loadConfig } from "./config.ts";

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

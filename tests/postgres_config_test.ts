/**
 * `DEDUPE_STORE` in the configuration: a `postgres://` or `postgresql://`
 * URL, anything else one line that never quotes the password; and the
 * client configured by that URL alone.
 *
 * @module
 */

import assert from "node:assert/strict";
import process from "node:process";
import { ConfigError, loadConfig } from "../config.ts";
import { connectPostgres } from "../dedupe/postgres.ts";
import { redactUrl } from "../dedupe/postgres_url.ts";

const load = (store: string) =>
  loadConfig(new Map([["SIGNING_SECRET", "whsec_test"], ["DEDUPE_STORE", store]]));

Deno.test("loadConfig() reads DEDUPE_STORE as a PostgreSQL URL; empty or unset keeps Deno KV", () => {
  const url = "postgres://app:pw@db.internal:5432/hooks";
  assert.equal(load(` ${url} `).dedupeStore, url);
  assert.equal(
    load("postgresql://app@db/hooks?sslmode=require").dedupeStore,
    "postgresql://app@db/hooks?sslmode=require",
  ); // deno-fmt-ignore
  assert.equal(load("  ").dedupeStore, undefined);
  assert.equal(loadConfig(new Map([["SIGNING_SECRET", "whsec_test"]])).dedupeStore, undefined);
});

Deno.test("loadConfig() refuses any other DEDUPE_STORE with one line, password hidden", () => {
  const cases: [string, string][] = [
    ["mysql://app:hunter2@db/hooks", 'the scheme is not "postgres://"'],
    ["postgres://app:hunter2@/hooks", "it does not parse as a URL"],
    ["postgres:app:hunter2@db/hooks", "it names no host"],
    ["postgres://:hunter2@db/hooks", "it names no user"],
    ["postgres://app:hunter2@db:0/hooks", "the port is not from 1 to 65535"],
    ["postgres://app:hunter2@db:99999/hooks", "it does not parse as a URL"],
    ["app:hunter2@db", 'the scheme is not "postgres://"'],
  ];
  for (const [value, problem] of cases) {
    assert.throws(() => load(value), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(
        error.message,
        `DEDUPE_STORE ${JSON.stringify(redactUrl(value))} is not a PostgreSQL URL (${problem}): ` +
          "use postgres://user:password@host:5432/database, or leave it unset for Deno KV",
      );
      assert.doesNotMatch(error.message, /hunter2/);
      return true;
    }, value);
  }
});

Deno.test("redactUrl() hides the password of any URL, valid or not", () => {
  assert.equal(redactUrl("postgres://app:s3cr@t:x@db/hooks"), "postgres://app:***@db/hooks");
  assert.equal(redactUrl("postgres://app:p%40ss@db:5432/h"), "postgres://app:***@db:5432/h");
  assert.equal(redactUrl("postgres://app@db/hooks"), "postgres://app@db/hooks");
  assert.equal(redactUrl("postgres://db:5432/hooks"), "postgres://db:5432/hooks");
  assert.equal(redactUrl("app:hunter2@db"), "app:***@db");
  // An @ later in the URL hides more, never less.
  assert.equal(redactUrl("postgres://app:pw@db/hooks?x=a@b"), "postgres://app:***@b");
});

Deno.test("connectPostgres() reads only the URL, and gives process.env back", async () => {
  const env = process.env;
  // Nothing connects before the first statement.
  const sql = await connectPostgres("postgres://app:pw@db.internal:6543/hooks?max=2");
  try {
    assert.equal(process.env, env);
    const { host, port, user, database, max, passfile } = sql.options as unknown as Record<
      string,
      unknown
    >;
    assert.deepEqual(
      { host, port, user, database, max, passfile },
      {
        host: ["db.internal"],
        port: [6543],
        user: "app",
        database: "hooks",
        max: 2,
        passfile: null,
      },
    );
  } finally {
    await sql.end();
  }
});

Deno.test("redactUrl() hides a password given in the query too, and loadConfig() checks ?max=", () => {
  assert.equal(
    redactUrl("postgres://app@db/hooks?password=s3cret&sslmode=require"),
    "postgres://app@db/hooks?password=***&sslmode=require",
  );
  assert.equal(
    redactUrl("postgres://db/hooks?user=app&sslpassword=k"),
    "postgres://db/hooks?user=app&sslpassword=***",
  );
  for (const max of ["abc", "0", "101"]) {
    assert.throws(
      () =>
        loadConfig(
          new Map([["SIGNING_SECRET", "whsec_test"], [
            "DEDUPE_STORE",
            `postgres://app:pw@db/x?max=${max}`,
          ]]),
        ),
      (error: unknown) =>
        error instanceof ConfigError &&
        /\?max= is not a whole number from 1 to 100/.test(error.message) &&
        !error.message.includes("pw@"),
    );
  }
});

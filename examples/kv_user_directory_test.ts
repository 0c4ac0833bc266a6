import assert from "node:assert/strict";
import { createApp } from "../app/mod.ts";
import {
  NOW_MS,
  NOW_S,
  recordingLogger,
  SECRET,
  signedRequest,
  withKv,
} from "../tests/fixtures.ts";
import { KvUserDirectory } from "./kv_user_directory.ts";

/** Lists one page through the app, as UserHub asks for it. */
async function listPage(app: (request: Request) => Promise<Response>, body: object, at: number) {
  const request = await signedRequest({
    body: JSON.stringify(body),
    action: "users.list",
    timestamp: NOW_S - at,
  });
  const response = await app(request);
  assert.equal(response.status, 200);
  return await response.json() as { users: { id: string }[]; nextPageToken?: string };
}

const id = (n: number) => `user-${String(n).padStart(5, "0")}`;

Deno.test("KvUserDirectory pages through 2,500 users, 1,000 a page, with inserts and deletes between pages", async () => {
  await withKv(async (kv) => {
    const directory = new KvUserDirectory(kv);
    const app = createApp({
      secrets: [SECRET],
      customUsers: directory,
      now: () => NOW_MS,
      logger: recordingLogger(),
    });
    // Ids 2, 4, ..., 5000: room to insert between them.
    for (let n = 1; n <= 2500; n++) await directory.createUser({ id: id(2 * n) });
    const deleted = new Set<string>();
    const deletedUnlisted = new Set<string>();
    const inserted = new Set<string>();
    const listed: string[] = [];
    const pages: number[] = [];
    let page = await listPage(app, { pageSize: 1000 }, 0);
    for (let round = 1;; round++) {
      listed.push(...page.users.map((user) => user.id));
      pages.push(page.users.length);
      if (page.nextPageToken === undefined) break;
      // Between pages: delete users behind and ahead of the cursor, and insert new ones on both sides.
      const last = Number(listed.at(-1)!.slice(5));
      // The last user listed is deleted after the first page only: the cursor of the
      // second page names a user that is gone, that of the third one that is there.
      for (const n of [2, round === 1 ? last : last - 2, last + 2, last + 200, 4998]) {
        if (deleted.has(id(n))) continue;
        await directory.deleteUser({ id: id(n) });
        deleted.add(id(n));
        if (!listed.includes(id(n))) deletedUnlisted.add(id(n));
      }
      for (const n of [2 * round - 1, last - 1, last + 1, last + 3, 5001 + 2 * round]) {
        if (inserted.has(id(n))) continue;
        await directory.createUser({ id: id(n) });
        inserted.add(id(n));
      }
      page = await listPage(app, { pageSize: 1000, pageToken: page.nextPageToken }, round);
    }
    assert.equal(new Set(listed).size, listed.length, "a user was listed twice");
    assert.deepEqual(listed, [...listed].sort(), "not in the order of ids");
    for (let n = 1; n <= 2500; n++) {
      const user = id(2 * n);
      if (deleted.has(user)) continue;
      assert.ok(listed.includes(user), `${user} was present throughout but not listed`);
    }
    for (const user of deletedUnlisted) {
      assert.ok(!listed.includes(user), `${user} was listed after it was deleted`);
    }
    // Inserted ahead of the cursor: listed; behind it: not.
    assert.ok(listed.includes(id(5003)) && listed.includes(id(5005)));
    assert.ok(!listed.includes(id(1)));
    assert.ok(pages.length >= 3, `only ${pages.length} pages`);
  });
});

Deno.test("KvUserDirectory refuses a page token it did not make", async () => {
  await withKv(async (kv) => {
    const directory = new KvUserDirectory(kv);
    for (const token of ["nope", "e30", "!!"]) {
      await assert.rejects(
        directory.listUsers({ pageSize: 10, pageToken: token }),
        (error: unknown) => (error as { status?: number }).status === 400,
        token,
      );
    }
  });
});

Deno.test("KvUserDirectory refuses an id too long to be a KV key", async () => {
  await withKv(async (kv) => {
    const directory = new KvUserDirectory(kv);
    await assert.rejects(
      directory.createUser({ id: "x".repeat(2000) }),
      (error: unknown) => (error as { status?: number }).status === 400,
    );
  });
});

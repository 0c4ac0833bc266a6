/**
 * The shared semantics of a delivery guard store (`_guard_cases.ts`), on Deno
 * KV: each case on a fresh in-memory store, its guards sharing it as server
 * instances share one database.
 *
 * @module
 */

import { KvDeliveryGuard } from "./mod.ts";
import { guardCases } from "./_guard_cases.ts";

Deno.test("KvDeliveryGuard has the semantics every store shares", async (t) => {
  await guardCases(t, async () => {
    const kv = await Deno.openKv(":memory:");
    return {
      guard: (options = {}) => Promise.resolve(new KvDeliveryGuard(kv, options)),
      close: () => Promise.resolve(kv.close()),
    };
  });
});

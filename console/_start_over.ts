/**
 * The console's "Start over": forgets what local development left in the
 * server's Deno KV, as if no call had ever come: the console's calls, the
 * duplicate check's records (handled events and accepted requests, under
 * `["userhub"]`) and the example user directory's users (under
 * `["example_users"]`).
 *
 * @module
 */

import type { CallRecorder } from "./_recorder.ts";

/** Where the duplicate check keeps its records: `KvDeliveryGuard`'s default prefix. */
export const DUPLICATE_RECORDS: Deno.KvKey = ["userhub"];
/** Where the example user directory keeps its users: `KvUserDirectory`'s default prefix. */
export const EXAMPLE_USERS: Deno.KvKey = ["example_users"];

/** How much was forgotten. */
export interface StartedOver {
  /** The console's calls. */
  calls: number;
  /** The duplicate check's records of handled events and accepted requests. */
  duplicateRecords: number;
  /** The example directory's users. */
  exampleUsers: number;
}

/** Deletes of one atomic operation: well under Deno KV's limit on mutations. */
const BATCH = 500;

/**
 * Forgets the calls, the duplicate records and the example users, in the
 * store the calls are kept in.
 *
 * @param recorder The console's calls, in the server's store.
 * @returns How much was forgotten.
 */
export async function startOver(recorder: CallRecorder): Promise<StartedOver> {
  return {
    calls: await recorder.clear(),
    duplicateRecords: await deleteUnder(recorder.store, DUPLICATE_RECORDS),
    exampleUsers: await deleteUnder(recorder.store, EXAMPLE_USERS),
  };
}

/** Deletes every key under `prefix`, a batch at a time; returns how many. */
async function deleteUnder(kv: Deno.Kv, prefix: Deno.KvKey): Promise<number> {
  let deleted = 0;
  let batch = kv.atomic();
  let size = 0;
  for await (const entry of kv.list({ prefix })) {
    batch.delete(entry.key);
    if (++size === BATCH) {
      await batch.commit();
      batch = kv.atomic();
      deleted += size;
      size = 0;
    }
  }
  if (size > 0) await batch.commit();
  return deleted + size;
}

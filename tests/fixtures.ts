/**
 * The project's own test fixtures: a fixed secret and clock, requests signed
 * with them (through `userhub/testing.ts`, so each test can break one field
 * at a time), sample events of every known type, and scratch stores.
 *
 * @module
 */

import type { EventType } from "../userhub/mod.ts";
import * as testing from "../userhub/testing.ts";

export { recordingLogger } from "../userhub/testing.ts";

/** The secret tests sign with, in UserHub's format. */
export const SECRET = "whsec_test";

/** A fixed clock for tests: 2026-11-26T12:00:00Z. */
export const NOW_MS = Date.UTC(2026, 10, 26, 12, 0, 0);

/** {@linkcode NOW_MS} in unix seconds, as `UserHub-Timestamp` carries it. */
export const NOW_S = NOW_MS / 1000;

/**
 * `signedRequest` of `userhub/testing.ts`, signed with {@linkcode SECRET} at
 * {@linkcode NOW_S} unless the test says otherwise.
 *
 * @param input The body and what to change.
 * @returns The request.
 */
export function signedRequest(
  input: Omit<testing.SignedRequestInput, "secret"> & { secret?: string },
): Promise<Request> {
  return testing.signedRequest({ secret: SECRET, timestamp: NOW_S, ...input });
}

/** When the sample events happened: 30 seconds before {@linkcode NOW_MS}. */
const T = new Date(NOW_MS - 30_000).toISOString();

/**
 * One sample payload field per known event type, times as RFC 3339 strings:
 * the samples of `userhub/samples.ts` at a fixed moment and with seeded ids,
 * so they are the same on every run.
 */
export const SAMPLE_PAYLOADS: SamplePayloads = samplePayloads(new Date(T));

/** Each known event type's payload field, as it travels in JSON. */
type SamplePayloads = {
  readonly [T in EventType]: {
    [F in (typeof testing.EVENT_TYPES)[T]["field"]]: testing.PayloadOf<T>;
  };
};

function samplePayloads(at: Date): SamplePayloads {
  const payloads = Object.entries(testing.EVENT_TYPES).map(([type, { field }]) => [
    type,
    { [field]: testing.samplePayload(type as EventType, at, { seed: 1 }) },
  ]);
  return Object.fromEntries(payloads) as SamplePayloads;
}

/**
 * The JSON body of an event.
 *
 * @param type The event type.
 * @param payload The payload fields; the sample of `type` by default.
 * @param id The event id.
 * @returns The JSON text.
 */
export function eventBody(
  type: string,
  payload: object = Object.hasOwn(SAMPLE_PAYLOADS, type) ? SAMPLE_PAYLOADS[type as EventType] : {},
  id = "evt_2LLkDJKdGvDCRh3JFsZQ9j",
): string {
  return JSON.stringify({ id, time: T, type, ...payload });
}

/** The one directory the tests may write to (`--allow-write=.test_kv` in `deno task test`). */
const SCRATCH = `${import.meta.dirname}/../.test_kv`;

/**
 * Runs `fn` with a new directory under `.test_kv`, removed afterwards however `fn` ends.
 * @param fn Gets the directory's path.
 */
export async function withScratchDir(fn: (dir: string) => Promise<void>): Promise<void> {
  await Deno.mkdir(SCRATCH, { recursive: true });
  const dir = await Deno.makeTempDir({ dir: SCRATCH });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** A clock that tests move by hand. */
export function testClock(start = NOW_MS) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

/** A fresh in-memory KV, closed when the test ends. */
export async function withKv(fn: (kv: Deno.Kv) => Promise<void>): Promise<void> {
  const kv = await Deno.openKv(":memory:");
  try {
    await fn(kv);
  } finally {
    kv.close();
  }
}

/** Counts the store's round trips: reads, atomic commits and plain writes. */
export function countingKv(kv: Deno.Kv) {
  const counts = { reads: 0, writes: 0 };
  const counted = new Proxy(kv, {
    get(target, name) {
      if (name === "get" || name === "getMany") {
        return (...args: unknown[]) => {
          counts.reads++;
          return (target[name] as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      if (name === "set" || name === "delete") {
        return (...args: unknown[]) => {
          counts.writes++;
          return (target[name] as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      if (name === "atomic") {
        return () => {
          const operation = target.atomic();
          const commit = operation.commit.bind(operation);
          operation.commit = () => {
            counts.writes++;
            return commit();
          };
          return operation;
        };
      }
      const value = Reflect.get(target, name, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { kv: counted, counts };
}

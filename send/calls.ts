/**
 * Building the signed calls of a run: `count` bodies, each signed once and
 * yielded `repeat` times, so repeats are the same bytes and signature.
 *
 * @module
 */

import { newId, samplePayload, sampleRequest, signedHeaders } from "../userhub/testing.ts";
import { applySets, eventEnvelope, expectObject, type JsonObject, toEvent } from "./envelope.ts";
import { isEventTarget, type Target, TARGETS } from "./targets.ts";

/** One HTTP call, ready to send. */
export interface Call {
  /** What is sent. */
  target: Target;
  /** The `UserHub-Action` header. */
  action: string;
  /** The event id, for `events.handle` calls. */
  eventId: string | undefined;
  /** The exact bytes that were signed. */
  body: Uint8Array<ArrayBuffer>;
  /** `UserHub-*` headers and `content-type`. */
  headers: Record<string, string>;
}

/** What to build. */
export interface CallPlan {
  target: Target;
  /** The secret to sign with. */
  secret: string;
  /** The parsed `--data` file; the built-in sample when absent. */
  data?: unknown;
  /** `--set` pairs. */
  sets: readonly (readonly [string, unknown])[];
  /** Distinct bodies. */
  count: number;
  /** Copies of each signed call. */
  repeat: number;
  /** Seconds added to the signed timestamp. */
  timestampOffset: number;
  /** Spoil each signature after signing. */
  badSignature: boolean;
  /** The clock in milliseconds; `Date.now` by default. */
  now?: () => number;
}

const encoder = new TextEncoder();

/**
 * Yields the calls of a plan, signing each body just before its first copy
 * is sent, so a long run never signs a timestamp long before it is used.
 *
 * @param plan What to send and how.
 * @returns The calls, `count × repeat` of them.
 * @throws {UsageError} When the `--data` content or a `--set` does not fit the target.
 *
 * @example
 * ```ts
 * import { buildCalls } from "./calls.ts";
 *
 * const plan = { target: "challenge" as const, secret: "whsec_test", sets: [], count: 1,
 *   repeat: 2, timestampOffset: 0, badSignature: false };
 * const calls = await Array.fromAsync(buildCalls(plan));
 * console.assert(calls.length === 2 && calls[0] === calls[1]);
 * ```
 */
export async function* buildCalls(plan: CallPlan): AsyncGenerator<Call> {
  const now = plan.now ?? Date.now;
  for (let i = 0; i < plan.count; i++) {
    const time = now();
    const content = buildBody(plan, new Date(time));
    const body = encodeBody(plan.target, content);
    const action = TARGETS[plan.target].action;
    // A call that is not an event has no id to tell it apart: each is signed a second
    // earlier than the next, so that no two are one signed request (docs/duplicates.md).
    const apart = isEventTarget(plan.target) ? 0 : plan.count - 1 - i;
    const signed = await signedHeaders({
      action,
      body,
      secret: plan.secret,
      timestamp: Math.floor(time / 1000) + plan.timestampOffset - apart,
    });
    const headers: Record<string, string> = { ...signed, "content-type": "application/json" };
    if (plan.badSignature) headers["UserHub-Signature"] = spoil(signed["UserHub-Signature"]);
    const call: Call = {
      target: plan.target,
      action,
      eventId: isEventTarget(plan.target) ? String(content.id) : undefined,
      body,
      headers,
    };
    for (let copy = 0; copy < plan.repeat; copy++) yield call;
  }
}

function buildBody(plan: CallPlan, now: Date): JsonObject {
  const { target } = plan;
  let body: JsonObject;
  if (isEventTarget(target)) {
    body = plan.data === undefined
      ? eventEnvelope(target, samplePayload(target, now), {
        id: newId("evt"),
        time: now.toISOString(),
      })
      : toEvent(target, structuredClone(plan.data), { freshId: plan.count > 1, now });
  } else {
    body = plan.data === undefined
      ? sampleRequest(target) as unknown as JsonObject
      : structuredClone(expectObject(plan.data, "it"));
  }
  applySets(body, target, plan.sets);
  return body;
}

/**
 * The bytes of a body: its JSON, on one line. Those of `users.delete` end
 * with a newline, so they never equal those of `users.get`, which carries the
 * same JSON (`{"id":"user-1001"}`): the signature does not cover the action,
 * so the same bytes signed in the same second under both would be one signed
 * request, refused the second time as a replay (docs/duplicates.md).
 */
function encodeBody(target: Target, content: JsonObject): Uint8Array<ArrayBuffer> {
  const json = JSON.stringify(content);
  return encoder.encode(target === "users.delete" ? `${json}\n` : json);
}

/** Flips the first hex digit: still 64 hex digits, but it cannot match. */
function spoil(signature: string): string {
  const flipped = (parseInt(signature[0]!, 16) ^ 0xf).toString(16);
  return flipped + signature.slice(1);
}

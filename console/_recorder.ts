/**
 * The calls the delivery console shows, kept in Deno KV under their own key
 * prefix so that they survive the reloads of `deno task dev`: the newest 200,
 * each for 24 hours. A row's summary, its details and its body are kept apart,
 * so that the list reads summaries only; the body of a verified call is kept
 * whole (in chunks under the KV value limit), so that it can be delivered again.
 *
 * @module
 */

import type { CallReport } from "../userhub/mod.ts";

/** What a row of the console shows. */
export interface CallSummary {
  /** Sortable by time: the newest call has the greatest id. */
  id: string;
  /** When the call arrived, RFC 3339. */
  time: string;
  /** The action, from the verified call, or else the `UserHub-Action` header as sent. */
  action?: string;
  /** Whether the call's signature and timestamp were verified: only such a call is delivered again. */
  verified: boolean;
  /** The event's `id`, for a decoded event. */
  eventId?: string;
  /** The event's `type`, for a decoded event. */
  eventType?: string;
  /** What became of the call. */
  outcome: CallReport["outcome"];
  /** Why it was refused, or what a handler threw. */
  reason?: string;
  /** The HTTP status of the answer. */
  status: number;
  /** Milliseconds from the request to the answer. */
  durationMs: number;
  /** The size of the body, in bytes. */
  bodyBytes: number;
  /** For a call the console delivered again: the id of the call it delivered again. */
  redeliveryOf?: string;
  /** For a call the console delivered again as a new event (a new event id). */
  asNew?: true;
}

/** What opening a row shows, beside its summary. */
export interface CallDetails {
  /** The request headers, signatures shortened. */
  headers: [string, string][];
  /** The answer's body, as sent. */
  answer: string;
  /** The lines logged while the call was handled. */
  logs: string[];
  /** What a handler threw, with its stack, for a failed call. */
  error?: string;
}

/** A call to record. */
export interface NewCall extends Omit<CallSummary, "id">, CallDetails {
  /** The raw body, as received. */
  body: Uint8Array;
}

/** The most calls kept. */
export const MAX_CALLS = 200;
/** How long a call is kept, in milliseconds: 24 hours. */
export const CALL_TTL_MS = 24 * 60 * 60 * 1000;
/** What is kept of the body of a call that was not verified: what the page shows. */
export const UNVERIFIED_BODY_BYTES = 64 * 1024;
/** Each body chunk stays well under Deno KV's 64 KiB per value. */
const CHUNK_BYTES = 60 * 1024;
/**
 * The most characters of a row's details in all: they share one KV value,
 * where a character may take two bytes.
 */
const MAX_DETAILS = 28 * 1024;
const PREFIX = ["console"];

/** The recorded calls, in a KV store. */
export class CallRecorder {
  readonly #kv: Deno.Kv;
  #sequence = 0;

  /**
   * Keeps the calls in a KV store.
   * @param kv The store the server already opens.
   */
  constructor(kv: Deno.Kv) {
    this.#kv = kv;
  }

  /**
   * Records a call, and drops the oldest beyond {@linkcode MAX_CALLS}.
   * @param call The call.
   * @returns Its summary, with its id.
   */
  async add(call: NewCall): Promise<CallSummary> {
    // Milliseconds, then a counter: calls of the same millisecond keep their order.
    const id = `${Date.now().toString().padStart(15, "0")}-${
      (this.#sequence++ % 1e6).toString().padStart(6, "0")
    }`;
    const { body, headers, answer, logs, error, ...rest } = call;
    const summary: CallSummary = { id, ...rest };
    const kept = call.verified ? body : body.subarray(0, UNVERIFIED_BODY_BYTES);
    const expireIn = CALL_TTL_MS;
    for (let start = 0, index = 0; start < kept.length; start += CHUNK_BYTES, index++) {
      const chunk = kept.slice(start, start + CHUNK_BYTES);
      await this.#kv.set([...PREFIX, "body", id, index], chunk, { expireIn });
    }
    await this.#kv.set(
      [...PREFIX, "details", id],
      fit({ headers, answer, logs, ...(error !== undefined && { error }) }),
      { expireIn },
    );
    // The summary last: a row shows once all of it is kept.
    await this.#kv.set([...PREFIX, "summary", id], summary, { expireIn });
    await this.#dropOldest();
    return summary;
  }

  /** The calls, newest first. */
  async list(): Promise<CallSummary[]> {
    const calls: CallSummary[] = [];
    const summaries = this.#kv.list<CallSummary>({ prefix: [...PREFIX, "summary"] }, {
      reverse: true,
    });
    for await (const entry of summaries) calls.push(entry.value);
    return calls;
  }

  /**
   * One call, with its details and its body.
   * @param id The call's id.
   * @returns The call and its body as kept, or `undefined` when it is not kept (any more).
   */
  async get(
    id: string,
  ): Promise<{ call: CallSummary & CallDetails; body: Uint8Array } | undefined> {
    const [summary, details] = await this.#kv.getMany<[CallSummary, CallDetails]>([
      [...PREFIX, "summary", id],
      [...PREFIX, "details", id],
    ]);
    if (summary.value === null || details.value === null) return undefined;
    const chunks: Uint8Array[] = [];
    for await (const chunk of this.#kv.list<Uint8Array>({ prefix: [...PREFIX, "body", id] })) {
      chunks.push(chunk.value);
    }
    const body = new Uint8Array(chunks.reduce((size, chunk) => size + chunk.length, 0));
    chunks.reduce((offset, chunk) => (body.set(chunk, offset), offset + chunk.length), 0);
    return { call: { ...summary.value, ...details.value }, body };
  }

  /**
   * Forgets every call.
   * @returns How many calls it forgot.
   */
  async clear(): Promise<number> {
    let calls = 0;
    for await (const entry of this.#kv.list({ prefix: PREFIX })) {
      if (entry.key[1] === "summary") calls++;
      await this.#kv.delete(entry.key);
    }
    return calls;
  }

  /** The store the calls are kept in: the server's own, which holds its other records too. */
  get store(): Deno.Kv {
    return this.#kv;
  }

  async #dropOldest(): Promise<void> {
    const summaries = this.#kv.list({ prefix: [...PREFIX, "summary"] }, { reverse: true });
    let kept = 0;
    for await (const entry of summaries) {
      if (++kept <= MAX_CALLS) continue;
      const id = entry.key.at(-1) as string;
      await this.#kv.delete(entry.key);
      await this.#kv.delete([...PREFIX, "details", id]);
      for await (const chunk of this.#kv.list({ prefix: [...PREFIX, "body", id] })) {
        await this.#kv.delete(chunk.key);
      }
    }
  }
}

/**
 * The details cut to {@linkcode MAX_DETAILS} characters in all: headers, then
 * the error, then the answer, then log lines.
 */
function fit(details: CallDetails): CallDetails {
  let room = MAX_DETAILS;
  const take = (text: string, most: number) => {
    const limit = Math.max(0, Math.min(most, room));
    const kept = text.length > limit ? `${text.slice(0, limit)}…` : text;
    room -= kept.length;
    return kept;
  };

  const headers = details.headers.map(([name, value]): [string, string] => [
    take(name, 256),
    take(value, 1024),
  ]);
  const error = details.error === undefined ? undefined : take(details.error, 8 * 1024);
  const answer = take(details.answer, 8 * 1024);
  const logs: string[] = [];
  for (const line of details.logs) {
    if (room <= 0) {
      logs.push(`… ${details.logs.length - logs.length} more lines`);
      break;
    }
    logs.push(take(line, 2000));
  }
  return { headers, answer, logs, ...(error !== undefined && { error }) };
}

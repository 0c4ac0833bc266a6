/**
 * The calls the delivery console shows, kept in Deno KV under their own key
 * prefix so that they survive the reloads of `deno task dev`: the newest 200,
 * each for 24 hours. A body is kept whole (in chunks under the KV value
 * limit), so that a call can be delivered again.
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
}

/** What opening a row shows, beside its summary. */
export interface CallDetail extends CallSummary {
  /** The request headers, signatures shortened. */
  headers: [string, string][];
  /** The answer's body, as sent. */
  answer: string;
  /** The lines logged while the call was handled. */
  logs: string[];
}

/** A call to record. */
export interface NewCall extends Omit<CallDetail, "id"> {
  /** The raw body, as received. */
  body: Uint8Array;
}

/** The most calls kept. */
export const MAX_CALLS = 200;
/** How long a call is kept, in milliseconds: 24 hours. */
export const CALL_TTL_MS = 24 * 60 * 60 * 1000;
/** Each body chunk stays well under Deno KV's 64 KiB per value. */
const CHUNK_BYTES = 60 * 1024;
const PREFIX = ["console"];

/** The recorded calls, in a KV store. */
export class CallRecorder {
  readonly #kv: Deno.Kv;
  #sequence = 0;

  /** @param kv The store the server already opens. */
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
    const { body, ...detail } = call;
    const expireIn = CALL_TTL_MS;
    for (let start = 0, index = 0; start < body.length; start += CHUNK_BYTES, index++) {
      await this.#kv.set([...PREFIX, "body", id, index], body.slice(start, start + CHUNK_BYTES), {
        expireIn,
      });
    }
    await this.#kv.set([...PREFIX, "call", id], { ...detail, id }, { expireIn });
    await this.#dropOldest();
    return summarize({ ...detail, id });
  }

  /** The calls, newest first. */
  async list(): Promise<CallSummary[]> {
    const calls: CallSummary[] = [];
    const entries = this.#kv.list<CallDetail>({ prefix: [...PREFIX, "call"] }, { reverse: true });
    for await (const entry of entries) calls.push(summarize(entry.value));
    return calls;
  }

  /**
   * One call, with its body.
   * @param id The call's id.
   * @returns The call and its whole body, or `undefined` when it is not kept (any more).
   */
  async get(id: string): Promise<{ call: CallDetail; body: Uint8Array } | undefined> {
    const entry = await this.#kv.get<CallDetail>([...PREFIX, "call", id]);
    if (entry.value === null) return undefined;
    const chunks: Uint8Array[] = [];
    for await (const chunk of this.#kv.list<Uint8Array>({ prefix: [...PREFIX, "body", id] })) {
      chunks.push(chunk.value);
    }
    const body = new Uint8Array(chunks.reduce((size, chunk) => size + chunk.length, 0));
    chunks.reduce((offset, chunk) => (body.set(chunk, offset), offset + chunk.length), 0);
    return { call: entry.value, body };
  }

  /** Forgets every call. */
  async clear(): Promise<void> {
    for await (const entry of this.#kv.list({ prefix: PREFIX })) await this.#kv.delete(entry.key);
  }

  async #dropOldest(): Promise<void> {
    const calls = this.#kv.list({ prefix: [...PREFIX, "call"] }, { reverse: true });
    let kept = 0;
    for await (const entry of calls) {
      if (++kept <= MAX_CALLS) continue;
      const id = entry.key.at(-1) as string;
      await this.#kv.delete(entry.key);
      for await (const chunk of this.#kv.list({ prefix: [...PREFIX, "body", id] })) {
        await this.#kv.delete(chunk.key);
      }
    }
  }
}

function summarize(call: CallDetail): CallSummary {
  const { headers: _headers, answer: _answer, logs: _logs, ...summary } = call;
  return summary;
}

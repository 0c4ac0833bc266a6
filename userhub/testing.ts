/**
 * Helpers for your own tests: requests signed as UserHub signs them, for any
 * action and any known event type, built from realistic samples. Call your
 * app (a `fetch`-style function) with them: no port, no UserHub.
 *
 * @example Test a handler through the app
 * ```ts
 * import { createApp } from "../app/mod.ts";
 * import { eventRequest } from "./testing.ts";
 *
 * const secret = "whsec_test";
 * const seen: string[] = [];
 * const app = createApp({
 *   secrets: [secret],
 *   handlers: { "users.changed": (event) => void seen.push(event.usersChanged.user.id) },
 * });
 * const response = await app(await eventRequest("users.changed", { secret }));
 * console.assert(response.status === 200 && seen.length === 1);
 * ```
 *
 * @module
 */

import { newId } from "./_ids.ts";
import { sign } from "./_signature.ts";
import { EVENT_TYPES, type EventType } from "./events.ts";
import type { Logger } from "./log.ts";
import { type PayloadOf, samplePayload, sampleRequest } from "./samples.ts";
import type { UserActionName } from "./users.ts";

export { sign } from "./_signature.ts";
export { type PayloadOf, samplePayload, sampleRequest, type SamplerOptions } from "./samples.ts";

/** What {@linkcode signedHeaders} signs. */
export interface SignedHeadersInput {
  /** The action, e.g. `events.handle`. */
  action: string;
  /** The raw body to sign. */
  body: Uint8Array;
  /** The webhook's signing secret. */
  secret: string;
  /** Unix seconds, or the exact header text to sign; now by default. */
  timestamp?: number | string;
}

/**
 * The three headers UserHub sends with every call: the action, the signed
 * unix time, and the HMAC-SHA256 of `<timestamp>.<body>` in lowercase hex.
 */
export type SignedHeaders = {
  "UserHub-Action": string;
  "UserHub-Timestamp": string;
  "UserHub-Signature": string;
};

/**
 * Signs a body and returns the three `UserHub-*` headers, as UserHub sends them.
 *
 * @param input Action, body, secret and timestamp.
 * @returns The header record.
 *
 * @example
 * ```ts
 * import { signedHeaders } from "./testing.ts";
 *
 * const body = new TextEncoder().encode('{"challenge":"abc"}');
 * const headers = await signedHeaders({ action: "challenge", body, secret: "whsec_test" });
 * console.assert(headers["UserHub-Signature"].length === 64);
 * ```
 */
export async function signedHeaders(input: SignedHeadersInput): Promise<SignedHeaders> {
  const timestamp = String(input.timestamp ?? Math.floor(Date.now() / 1000));
  return {
    "UserHub-Action": input.action,
    "UserHub-Timestamp": timestamp,
    "UserHub-Signature": await sign(input.secret, timestamp, input.body),
  };
}

/** What {@linkcode signedRequest} signs and sends; every field but the body and secret has a default. */
export interface SignedRequestInput {
  /** The raw body: JSON text or bytes. */
  body: string | Uint8Array<ArrayBuffer>;
  /** The webhook's signing secret. */
  secret: string;
  /** The action; `events.handle` by default. */
  action?: string;
  /** Unix seconds, or the exact `UserHub-Timestamp` text to sign and send; now by default. */
  timestamp?: number | string;
  /** Replaces or, with `null`, removes headers after signing: to test a broken call. */
  headers?: Record<string, string | null>;
  /** `http://localhost/webhook` by default. */
  url?: string;
  /** `POST` by default. */
  method?: string;
}

/**
 * Builds a request signed as UserHub signs it, then applies the overrides.
 *
 * @param input The body, the secret, and what to change.
 * @returns The request.
 *
 * @example A call signed with the wrong secret
 * ```ts
 * import { signedRequest } from "./testing.ts";
 *
 * const request = await signedRequest({ body: '{"challenge":"abc"}', secret: "whsec_other", action: "challenge" });
 * console.assert(request.headers.get("userhub-action") === "challenge");
 * ```
 */
export async function signedRequest(input: SignedRequestInput): Promise<Request> {
  const body = typeof input.body === "string" ? new TextEncoder().encode(input.body) : input.body;
  const headers = new Headers(
    await signedHeaders({
      action: input.action ?? "events.handle",
      body,
      secret: input.secret,
      ...(input.timestamp !== undefined && { timestamp: input.timestamp }),
    }),
  );
  for (const [name, value] of Object.entries(input.headers ?? {})) {
    if (value === null) headers.delete(name);
    else headers.set(name, value);
  }
  return new Request(input.url ?? "http://localhost/webhook", {
    method: input.method ?? "POST",
    headers,
    body,
  });
}

/** What to change in a sample event: its id, time, payload, and the request around it. */
export interface EventRequestInput extends Omit<SignedRequestInput, "body" | "action"> {
  /** The event's `id`; a fresh `evt_…` id by default. */
  id?: string;
  /** The event's time; now by default. */
  time?: Date;
}

/**
 * A signed `events.handle` request carrying a realistic event of a known type.
 *
 * @param type The event type, e.g. `users.changed`.
 * @param input The secret, and what to change.
 * @param payload The payload under the type's field; the type's sample by default.
 * @returns The request.
 */
export async function eventRequest<T extends EventType>(
  type: T,
  input: EventRequestInput,
  payload: PayloadOf<T> = samplePayload(type, input.time),
): Promise<Request> {
  const { id, time, ...request } = input;
  const event = {
    id: id ?? newId("evt"),
    time: (time ?? new Date()).toISOString(),
    type,
    [EVENT_TYPES[type].field]: payload,
  };
  return await signedRequest({ ...request, body: JSON.stringify(event) });
}

/**
 * A signed request for `challenge` or a `users.*` action, with the sample body of {@linkcode sampleRequest}.
 *
 * @param action The action.
 * @param input The secret, and what to change.
 * @returns The request.
 */
export async function actionRequest(
  action: "challenge" | UserActionName,
  input: Omit<SignedRequestInput, "body" | "action">,
): Promise<Request> {
  return await signedRequest({ ...input, action, body: JSON.stringify(sampleRequest(action)) });
}

/**
 * A logger that keeps its lines, `info: …`, `warn: …` or `error: …`, for assertions.
 *
 * @returns The logger, and its lines.
 */
export function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (message) => lines.push(`info: ${message}`),
    warn: (message) => lines.push(`warn: ${message}`),
    error: (message) => lines.push(`error: ${message}`),
  };
}

// For senders: what `deno task send` needs to build and describe calls as UserHub makes them.

/**
 * Every known event type, in the order a sender lists them: for each, the
 * field that carries its payload (`organizationsChanged`), the object the
 * event is about (`organization`) and a line saying what happened.
 */
export { EVENT_TYPES } from "./events.ts";

/** The `users.*` actions of a custom user connection: `users.list` … `users.delete`. */
export type { UserActionName } from "./users.ts";

/**
 * A fresh random id shaped like UserHub's (`evt_` and 22 base62 characters),
 * for an event or object a test or sender makes up.
 */
export { newId } from "./_ids.ts";

/**
 * How far, in seconds, a signed timestamp may be from the receiver's clock:
 * a call signed further away is refused.
 */
export { TIMESTAMP_TOLERANCE_SECONDS } from "./_verify.ts";

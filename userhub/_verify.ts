/**
 * The verification rules of a UserHub call, in the order the official SDKs
 * apply them.
 *
 * @module
 */

import { WebhookError } from "./errors.ts";
import { quote } from "./log.ts";
import { type SigningKey, verifySignature } from "./_signature.ts";

/** How far, in seconds, a timestamp may be from the receiver's clock. */
export const TIMESTAMP_TOLERANCE_SECONDS = 300;

/** What a call carries, before verification. */
export interface UnverifiedCall {
  /** The request headers. */
  headers: Headers;
  /** The raw body bytes. */
  body: Uint8Array;
  /** The request URL, for the `action` query parameter. */
  url?: string;
}

/** A call whose signature and timestamp were checked. */
export interface VerifiedCall {
  /** What UserHub asks, e.g. `events.handle`. */
  action: string;
  /** The signed unix time, in seconds. */
  timestamp: number;
  /** The raw body bytes. */
  body: Uint8Array;
}

/** The receiver's side of verification. */
export interface VerifyOptions {
  /** The imported signing secrets; any of them may have signed the call. */
  keys: readonly SigningKey[];
  /** The current time in milliseconds. */
  now: number;
  /** Seconds a timestamp may be off; 300 by default. */
  tolerance?: number;
}

/**
 * Verifies a call: body, action, timestamp, signature presence, replay
 * window, then the HMAC.
 *
 * @param call The headers, body and URL of the request.
 * @param options The keys and the clock.
 * @returns The verified call.
 * @throws {WebhookError} 400 `INVALID_ARGUMENT` for an empty body or a missing
 * or conflicting action; 401 `UNAUTHENTICATED` for a missing, malformed or
 * stale timestamp, or a missing or wrong signature.
 */
export async function verifyCall(
  call: UnverifiedCall,
  options: VerifyOptions,
): Promise<VerifiedCall> {
  const { headers, body } = call;
  if (body.length === 0) throw malformed("the body is empty");

  const action = readAction(headers, call.url);

  // Like the action, a repeated header counts by its first value.
  const timestampText = headers.get("userhub-timestamp")?.split(",", 1)[0]?.trim();
  if (timestampText === undefined) {
    throw unauthenticated("the UserHub-Timestamp header is missing");
  }
  if (!/^\+?\d{1,20}$/.test(timestampText)) {
    throw unauthenticated(`timestamp ${quote(timestampText)} is not a number`);
  }

  const signatures = splitList(headers.get("userhub-signature"));
  if (signatures.length === 0) throw unauthenticated("the UserHub-Signature header is missing");

  const timestamp = Number(timestampText);
  const skew = Math.floor(options.now / 1000) - timestamp;
  if (Math.abs(skew) > (options.tolerance ?? TIMESTAMP_TOLERANCE_SECONDS)) {
    const direction = skew > 0 ? "behind" : "ahead of";
    throw unauthenticated(
      `timestamp is ${
        Math.abs(skew)
      } s ${direction} this server's clock (a replay, or a clock that is off)`,
    );
  }

  if (!await verifySignature(options.keys, timestampText, body, signatures)) {
    throw unauthenticated("no signature matches the body and a configured secret");
  }
  return { action, timestamp, body };
}

/** Actions are short dotted names; anything else is refused before it reaches a log line. */
const ACTION_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

function readAction(headers: Headers, url: string | undefined): string {
  const fromHeader = headers.get("userhub-action")?.split(",", 1)[0]?.trim() || undefined;
  const fromQuery = queryAction(url);
  if (fromHeader !== undefined && fromQuery !== undefined && fromHeader !== fromQuery) {
    throw malformed(
      `the UserHub-Action header ${quote(fromHeader)} and the action query parameter ${
        quote(fromQuery)
      } differ`,
    );
  }
  const action = fromHeader ?? fromQuery;
  if (action === undefined) throw malformed("the UserHub-Action header is missing");
  if (!ACTION_NAME.test(action)) throw malformed(`action ${quote(action)} is not an action name`);
  return action;
}

function queryAction(url: string | undefined): string | undefined {
  const start = url?.indexOf("?") ?? -1;
  if (start === -1) return undefined;
  const values = new URLSearchParams(url!.slice(start + 1)).getAll("action")
    .map((value) => value.trim())
    .filter((value) => value !== "");
  if (values.some((value) => value !== values[0])) {
    throw malformed(`the action query parameter holds several actions: ${quote(values.join(","))}`);
  }
  return values[0];
}

function splitList(value: string | null): string[] {
  if (value === null) return [];
  return value.split(",").map((part) => part.trim()).filter((part) => part !== "");
}

function malformed(detail: string): WebhookError {
  return new WebhookError("INVALID_ARGUMENT", `Cannot verify webhook: ${detail}`);
}

function unauthenticated(detail: string): WebhookError {
  return new WebhookError("UNAUTHENTICATED", `Cannot verify webhook: ${detail}`, { status: 401 });
}

/**
 * Building the headers UserHub sends, for senders and tests.
 *
 * @module
 */

import { importSigningKey, sign, type SigningKey } from "./_signature.ts";

/** What to sign. */
export interface SignedHeadersInput {
  /** The action, e.g. `events.handle`. */
  action: string;
  /** The raw body to sign. */
  body: Uint8Array;
  /** A secret, or a key from `importSigningKey`. */
  secret: string | SigningKey;
  /** Unix seconds, or the exact header text to sign; now by default. */
  timestamp?: number | string;
}

/**
 * Signs a body and returns the three `UserHub-*` headers, as UserHub sends them.
 *
 * @param input Action, body, secret and timestamp.
 * @returns The header record.
 *
 * @example
 * ```ts
 * import { signedHeaders } from "./signed_headers.ts";
 *
 * const body = new TextEncoder().encode('{"challenge":"abc"}');
 * const headers = await signedHeaders({ action: "challenge", body, secret: "whsec_test" });
 * console.assert(headers["UserHub-Signature"].length === 64);
 * ```
 */
export async function signedHeaders(input: SignedHeadersInput): Promise<{
  "UserHub-Action": string;
  "UserHub-Timestamp": string;
  "UserHub-Signature": string;
}> {
  const key = typeof input.secret === "string"
    ? await importSigningKey(input.secret)
    : input.secret;
  const timestamp = String(input.timestamp ?? Math.floor(Date.now() / 1000));
  return {
    "UserHub-Action": input.action,
    "UserHub-Timestamp": timestamp,
    "UserHub-Signature": await sign(key, timestamp, input.body),
  };
}

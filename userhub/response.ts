/**
 * The JSON responses the receiver sends.
 *
 * @module
 */

import { WebhookError } from "./error.ts";

/** The `Webhook-Agent` header: this receiver's name and version. */
export const WEBHOOK_AGENT = "userhub-webhooks-deno/0.1.0";

/** The body of every unexpected failure, so internals never leak. */
const INTERNAL_BODY = '{"message":"Webhook server error","code":"INTERNAL"}';

/**
 * A JSON response with the receiver's headers.
 *
 * @param status The HTTP status.
 * @param body The JSON text or bytes, sent as they are.
 * @param headers Extra headers; `content-type` and `webhook-agent` among them are ignored.
 * @returns The response.
 */
export function jsonResponse(
  status: number,
  body: string | Uint8Array<ArrayBuffer>,
  headers: Record<string, string> = {},
): Response {
  // Deno takes a lone content-type at a fraction of the cost of several headers in the init.
  const response = new Response(body, { status, headers: JSON_CONTENT_TYPE });
  response.headers.append("webhook-agent", WEBHOOK_AGENT);
  for (const name in headers) {
    if (!FIXED_HEADERS.has(name.toLowerCase())) response.headers.set(name, headers[name]!);
  }
  return response;
}

const JSON_CONTENT_TYPE = { "content-type": "application/json" };
/** Headers every response has, which extra headers cannot replace. */
const FIXED_HEADERS = new Set(["content-type", "webhook-agent"]);

/**
 * The response for an error: its own status and `{message, code}` for a
 * {@linkcode WebhookError}, the fixed generic 500 for anything else.
 *
 * @param error What was thrown.
 * @returns The response.
 */
export function errorResponse(error: unknown): Response {
  if (!(error instanceof WebhookError)) return jsonResponse(500, INTERNAL_BODY);
  return jsonResponse(
    error.status,
    JSON.stringify({ message: error.message, code: error.code }),
    error.headers,
  );
}

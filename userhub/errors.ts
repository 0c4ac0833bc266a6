/**
 * The gRPC-style error codes UserHub puts in the `code` field of an error body.
 */
export type ErrorCode =
  | "OK"
  | "CANCELLED"
  | "UNKNOWN"
  | "INVALID_ARGUMENT"
  | "DEADLINE_EXCEEDED"
  | "NOT_FOUND"
  | "ALREADY_EXISTS"
  | "PERMISSION_DENIED"
  | "UNAUTHENTICATED"
  | "RESOURCE_EXHAUSTED"
  | "FAILED_PRECONDITION"
  | "ABORTED"
  | "OUT_OF_RANGE"
  | "UNIMPLEMENTED"
  | "INTERNAL"
  | "UNAVAILABLE"
  | "DATA_LOSS";

/** The HTTP status the official SDKs give each code; codes not listed map to 500. */
const SDK_STATUS: Partial<Record<ErrorCode, number>> = {
  INVALID_ARGUMENT: 400,
  ALREADY_EXISTS: 400,
  FAILED_PRECONDITION: 400,
  NOT_FOUND: 404,
  RESOURCE_EXHAUSTED: 429,
  UNIMPLEMENTED: 501,
};

/** Options for {@linkcode WebhookError}. */
export interface WebhookErrorOptions {
  /** The HTTP status to answer with; defaults to the SDKs' mapping of the code. */
  status?: number;
  /** Extra response headers, such as `Allow` or `Retry-After`. */
  headers?: Record<string, string>;
}

/**
 * An error whose message is safe to show the caller. The receiver answers it
 * as `{"message": ..., "code": ...}` with its HTTP status; any other thrown
 * value becomes a generic 500.
 *
 * @example Refuse a custom-user lookup
 * ```ts
 * import { WebhookError } from "./errors.ts";
 *
 * const err = new WebhookError("NOT_FOUND", "User not found");
 * console.assert(err.status === 404);
 * ```
 */
export class WebhookError extends Error {
  /** The gRPC-style code sent in the body. */
  readonly code: ErrorCode;
  /** The HTTP status of the answer. */
  readonly status: number;
  /** Extra headers of the answer. */
  readonly headers: Record<string, string>;

  /**
   * Makes an error that the receiver answers as it is.
   * @param code The code sent in the body.
   * @param message A message that is safe to show the caller.
   * @param options Status and headers, when they differ from the defaults.
   */
  constructor(code: ErrorCode, message: string, options: WebhookErrorOptions = {}) {
    super(message);
    this.name = "WebhookError";
    this.code = code;
    this.status = options.status ?? SDK_STATUS[code] ?? 500;
    this.headers = options.headers ?? {};
  }
}

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

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
 * import { WebhookError } from "./error.ts";
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

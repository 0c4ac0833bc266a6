/**
 * Where the receiver writes what happens: the console by default, so that
 * Deno's OpenTelemetry export (`OTEL_DENO=true`) carries every line.
 *
 * @module
 */

/** Where the receiver writes what happens. Never given secrets, signatures or bodies. */
export interface Logger {
  /** Normal operation: an event arrived, a duplicate was skipped. */
  info(message: string): void;
  /** A call was refused: bad signature, stale timestamp, malformed request. */
  warn(message: string): void;
  /** A handler or the server failed; `error` carries the cause for the operator. */
  error(message: string, error?: unknown): void;
}

/** Logs to stdout (info) and stderr (warn, error). */
export const consoleLogger: Logger = {
  info: (message) => console.log(message),
  warn: (message) => console.warn(message),
  error: (message, error) =>
    error === undefined ? console.error(message) : console.error(message, error),
};

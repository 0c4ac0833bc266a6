/**
 * Where the receiver writes what happens: the console by default, so that
 * Deno's OpenTelemetry export (`OTEL_DENO=true`) carries every line.
 *
 * @module
 */

import { printable } from "./printable.ts";

/** Where the receiver writes what happens. Never given secrets, signatures or bodies. */
export interface Logger {
  /** Normal operation: an event arrived, a duplicate was skipped. */
  info(message: string): void;
  /** A call was refused: bad signature, stale timestamp, malformed request. */
  warn(message: string): void;
  /** A handler or the server failed; `error` carries the cause for the operator. */
  error(message: string, error?: unknown): void;
}

/**
 * Logs to stdout (info) and stderr (warn, error), one line a message: any
 * control character in a message, or in an error's message, is escaped (see
 * {@linkcode printable}), so what a request carries cannot forge a line. An
 * error's stack follows it, a frame a line.
 */
export const consoleLogger: Logger = {
  info: (message) => console.log(printable(message)),
  warn: (message) => console.warn(printable(message)),
  error: (message, error) =>
    error === undefined
      ? console.error(printable(message))
      : console.error(printable(message), printableError(error)),
};

/**
 * An error as Deno prints it, its message on one line: the name and message,
 * the frames of its stack, and its cause.
 *
 * @param error What was thrown.
 * @returns The text to print.
 *
 * @example
 * ```ts
 * import { printableError } from "./logger.ts";
 *
 * const text = printableError(new Error("bad name: Jane\nEvent: forged"));
 * console.assert(text.startsWith("Error: bad name: Jane\\nEvent: forged\n    at "));
 * ```
 */
export function printableError(error: unknown): string {
  if (!(error instanceof Error)) {
    return printable(typeof error === "string" ? error : Deno.inspect(error));
  }
  const head = `${error.name}: ${error.message}`;
  const stack = error.stack ?? head;
  // The frames follow the head; a stack that does not start with it is printed as one line.
  const text = stack.startsWith(head)
    ? printable(head) + stack.slice(head.length)
    : printable(stack);
  return error.cause === undefined ? text : `${text}\nCaused by ${printableError(error.cause)}`;
}

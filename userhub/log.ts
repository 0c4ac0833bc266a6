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
 * import { printableError } from "./log.ts";
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

/**
 * An error on one line: its name and message, and where it was thrown in
 * your code (the first frame of its stack in the project's folder but outside
 * this library), relative to the project. The whole stack goes to the span's
 * exception event and the console's detail page instead.
 *
 * @param error What was thrown.
 * @returns The line's text.
 *
 * @example
 * ```ts
 * import { oneLine } from "./log.ts";
 *
 * console.assert(!oneLine(new Error("no table\nflows")).includes("\n"));
 * ```
 */
export function oneLine(error: unknown): string {
  if (!(error instanceof Error)) return printableError(error);
  const where = thrownAt(error.stack ?? "");
  return printable(`${error.name}: ${error.message}`) +
    (where === undefined ? "" : ` (at ${where})`);
}

/** The project's folder: the parent of this library's. */
const PROJECT = new URL("../", import.meta.url).href;
const LIBRARY = new URL("./", import.meta.url).href;

/** The first frame of a stack in the project but outside this library, as `path:line:column`. */
function thrownAt(stack: string): string | undefined {
  for (const frame of stack.matchAll(/^\s+at (?:.*\()?(file:\/\/[^)\s]+?:\d+:\d+)\)?$/gm)) {
    const location = frame[1]!;
    if (!location.startsWith(PROJECT) || location.startsWith(LIBRARY)) continue;
    if (location.includes("/node_modules/")) continue;
    return location.slice(PROJECT.length);
  }
  return undefined;
}

// C0 controls and DEL, C1 controls, and the line and paragraph separators.
// deno-lint-ignore no-control-regex -- matching them is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/**
 * Escapes the control characters of a text: `\n`, `\r` and `\t` by name,
 * the others as `\u` and four hex digits.
 *
 * @param text What to print.
 * @returns The text, on one line and free of terminal escapes.
 *
 * @example
 * ```ts
 * import { printable } from "./log.ts";
 *
 * console.assert(printable("Jane\nEvent: x") === "Jane\\nEvent: x");
 * console.assert(printable("Jane Doe") === "Jane Doe");
 * ```
 */
export function printable(text: string): string {
  return text.replace(
    CONTROL,
    (char) => NAMED[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/**
 * A template tag that prints each value with {@linkcode printable}: the text
 * of the template is yours, the values came from a request. `undefined` and
 * `null` print as nothing.
 *
 * @param strings The template's own text.
 * @param values The values put into it.
 * @returns The line.
 *
 * @example
 * ```ts
 * import { line } from "./log.ts";
 *
 * const user = { id: "usr_1", displayName: "Jane\u001b[2J" };
 * console.assert(line` - User: ${user.id} ${user.displayName}` === " - User: usr_1 Jane\\u001b[2J");
 * ```
 */
export function line(strings: TemplateStringsArray, ...values: unknown[]): string {
  let text = strings[0]!;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    text += (value === undefined || value === null ? "" : printable(String(value))) +
      strings[i + 1]!;
  }
  return text;
}

/**
 * Quotes a value for an error message or a log line: as a JSON string, so
 * control characters cannot start a new line, and cut to `max` characters.
 *
 * @param value What to show; a non-string is shown as its JSON.
 * @param max The most characters kept before an ellipsis; 40 by default.
 * @returns The quoted text.
 *
 * @example
 * ```ts
 * import { quote } from "./log.ts";
 *
 * console.assert(quote("a\nb") === '"a\\nb"');
 * ```
 */
export function quote(value: unknown, max = 40): string {
  const text = typeof value === "string" ? value : JSON.stringify(value) ?? String(value);
  return JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);
}

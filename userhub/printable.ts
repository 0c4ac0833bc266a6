/**
 * Log lines that a request cannot forge: every control character of a value
 * that came from a request is escaped where it is printed, so a display name
 * holding a newline prints as one line with `\n` in it, and an ANSI escape as
 * `\u001b`. Plain values print as they are.
 *
 * @module
 */

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
 * import { printable } from "./printable.ts";
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
 * import { line } from "./printable.ts";
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

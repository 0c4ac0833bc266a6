/**
 * Quoting what the user typed or sent in the sender's one-line messages.
 *
 * @module
 */

/**
 * Quotes a value as a JSON string, cut to `max` characters, so that a
 * newline, a quote or a long value cannot break or flood the line.
 *
 * @param value What to show; a non-string is shown as its JSON.
 * @param max The most characters kept before an ellipsis; 40 by default.
 * @returns The quoted text.
 *
 * @example
 * ```ts
 * import { quote } from "./quote.ts";
 *
 * console.assert(quote("a\nb") === '"a\\nb"');
 * console.assert(quote("abcdef", 3) === '"abc…"');
 * ```
 */
export function quote(value: unknown, max = 40): string {
  const text = typeof value === "string" ? value : JSON.stringify(value) ?? String(value);
  return JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);
}

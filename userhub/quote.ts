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
 * import { quote } from "./quote.ts";
 *
 * console.assert(quote("a\nb") === '"a\\nb"');
 * ```
 */
export function quote(value: unknown, max = 40): string {
  const text = typeof value === "string" ? value : JSON.stringify(value) ?? String(value);
  return JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);
}

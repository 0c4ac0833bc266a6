/**
 * The console's page, one HTML document: `page.html` with `page.css` and
 * `page.js` inlined, and the stored calls in it, so that its first paint
 * shows them rather than an empty list.
 *
 * @module
 */

import type { CallSummary } from "./_recorder.ts";
import html from "./page.html" with { type: "text" };
import style from "./page.css" with { type: "text" };
import script from "./page.js" with { type: "text" };

const page = html
  .replace("/* page.css */", () => style)
  .replace("/* page.js */", () => script);

/**
 * The page with the calls stored when it was asked for.
 *
 * @param calls The calls, newest first.
 * @returns The HTML text.
 */
export function renderPage(calls: CallSummary[]): string {
  // Inside a script element, "<" alone could end it (`</script>`): JSON lets it be escaped.
  const data = JSON.stringify(calls).replaceAll("<", "\\u003c");
  return page.replace(/(<script id="stored-calls" [^>]*>)\s*\[\]\s*/, (_, open) => open + data);
}

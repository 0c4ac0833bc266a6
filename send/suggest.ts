/**
 * The "did you mean" of an unknown `<what>` or option.
 *
 * @module
 */

import { quote } from "./quote.ts";

/**
 * Finds the candidate closest to a mistyped name, within a few edits (a
 * third of the name's length, at most 3). Of equally close candidates the
 * last one wins. Anything from `=` on is ignored, so `--cont=2` is `--cont`.
 *
 * @param input What was typed, e.g. `--cont=2` or `organisations.changed`.
 * @param candidates The names that exist.
 * @returns ` (did you mean "x"?)` to append to a message, or `""` when no
 * candidate is close enough.
 *
 * @example
 * ```ts
 * import { suggest } from "./suggest.ts";
 *
 * console.assert(suggest("--cont", ["--count", "--url"]) === ' (did you mean "--count"?)');
 * console.assert(suggest("xyz", ["--count", "--url"]) === "");
 * ```
 */
export function suggest(input: string, candidates: readonly string[]): string {
  const name = input.split("=", 1)[0]!;
  let best: string | undefined;
  let bestDistance = Math.min(3, Math.floor(name.length / 3));
  for (const candidate of candidates) {
    const distance = editDistance(name, candidate);
    if (distance <= bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best === undefined ? "" : ` (did you mean ${quote(best, 60)}?)`;
}

/** The Levenshtein distance: insertions, deletions and substitutions. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j]! + 1,
        current[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * The hints the sender prints after the calls of a run that did not go as
 * wanted: what a refused connection, a 401, a 404 or a 501 most likely means.
 *
 * @module
 */

import type { Outcome } from "./deliver.ts";
import { type Expectation, meetsExpectation } from "./report.ts";

/**
 * Explains what went wrong, once per kind of failure: nothing listening, a
 * secret that does not match, a wrong path, a missing handler.
 *
 * @param outcomes Every call's outcome.
 * @param expect What the run wants.
 * @param url The target.
 * @returns Lines to print after the calls; none when everything went as wanted.
 *
 * @example
 * ```ts
 * import { hints } from "./hints.ts";
 *
 * const outcome = {
 *   call: {
 *     target: "users.changed" as const,
 *     action: "events.handle",
 *     eventId: "evt_1",
 *     body: new Uint8Array(),
 *     headers: {},
 *   },
 *   latency: 3.14,
 *   response: { status: 404, statusText: "Not Found", body: "{}" },
 * };
 * const [hint] = hints([outcome], "accepted", new URL("http://127.0.0.1:8000/hook"));
 * console.assert(hint === "404: nothing at /hook on that server: the receiver listens on /webhook");
 * ```
 */
export function hints(outcomes: readonly Outcome[], expect: Expectation, url: URL): string[] {
  const lines = new Set<string>();
  for (const outcome of outcomes) {
    if (meetsExpectation(outcome, expect)) continue;
    const { response, failure, call } = outcome;
    if (failure?.kind === "refused") {
      lines.add(
        `Nothing is listening at ${url.origin}: start the server (deno task dev or deno task ` +
          `start) in another terminal, or read there why it stopped; or point --url at it`,
      );
    } else if (failure?.kind === "timeout") {
      lines.add(`The server did not answer in time: is it stuck? (--timeout sets the wait)`);
    } else if (response === undefined) {
      lines.add(`The call could not be sent to ${url.href}`);
    } else if (expect === "rejected") {
      lines.add(
        response.status === 404
          ? `404: nothing at ${url.pathname} on that server, so nothing was verified: check --url`
          : `${response.status}: the server took a deliberately invalid call; it should refuse it (401)`,
      );
    } else if (response.status === 401) {
      lines.add(
        "401: the server refused the signature or timestamp: does SIGNING_SECRET (or --secret) " +
          "match the server's, and is this clock right?",
      );
    } else if (response.status === 404 && isMissingUser(call.action, response.body)) {
      lines.add("404: the user directory has no user with that id (users.create makes one)");
    } else if (response.status === 404) {
      lines.add(`404: nothing at ${url.pathname} on that server: the receiver listens on /webhook`);
    } else if (response.status === 501) {
      lines.add(
        `501: the server has no handler for ${call.action}: it is not a user directory ` +
          `(fill in handlers/custom_users.ts; its comment shows how to try the example directory)`,
      );
    } else if (response.status >= 500) {
      lines.add(`${response.status}: the server failed: see its log`);
    } else if (response.status === 400) {
      lines.add("400: the server could not use the call: its message is above");
    }
  }
  return [...lines];
}

/** A directory's answer for an unknown user, not the 404 of a wrong path (`Not found: /x`). */
function isMissingUser(action: string, body: string): boolean {
  return action.startsWith("users.") && body.includes('"code":"NOT_FOUND"') &&
    !body.includes('"message":"Not found: ');
}

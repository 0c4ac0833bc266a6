/**
 * The texts of `deno task send --help` and `--list`.
 *
 * @module
 */

import { TIMESTAMP_TOLERANCE_SECONDS } from "../userhub/testing.ts";
import { isEventTarget, type Target, TARGETS } from "./targets.ts";

const TARGET_NAMES = Object.keys(TARGETS) as Target[];

/**
 * The `--help` text: every option, the exit codes, the permissions and examples.
 *
 * @example
 * ```ts
 * import { HELP } from "./help.ts";
 *
 * console.assert(HELP.includes("--bad-signature"));
 * ```
 */
export const HELP = `Send signed UserHub webhook calls to a server, to try it without UserHub.

Usage: deno task send <what> [options]

<what> is one of (--list says what each is):
${whatLines()}

Options:
  --url URL             Where to send; default http://127.0.0.1:$PORT/webhook (PORT 8000 if unset)
  --secret SECRET       Secret to sign with; default SIGNING_SECRET, the server's own variable
                        (read from .env too). Of a rotation list "old,new" the first one signs.
  --data FILE           Send this JSON file instead of the built-in sample ("-": stdin). For an
                        event it may hold a whole Event, or just its payload, e.g.
                        {"organization": {...}}, which is wrapped in a new Event.
  --set KEY=VALUE       Set a top-level field of the object sent: the one an event is about
                        (e.g. the organization of organizations.changed); the body of challenge
                        and users.*. VALUE is JSON when it parses (3, true, "007"), else text.
                        Repeatable: --set displayName="Acme" --set memberCount=12
  --count N             Send N distinct calls, each event with a fresh id (default 1)
  --repeat N            Send each signed call N times, same bytes and signature (default 1),
                        to see how the server handles a duplicate delivery
  --concurrency C       Calls in flight at once (default 1)
  --timeout S           Seconds to wait for each answer (default 10)
  --timestamp-offset S  Shift the signed timestamp by S seconds, e.g. -600. Beyond
                        ±${TIMESTAMP_TOLERANCE_SECONDS} s the call is deliberately invalid: the server must refuse it.
  --bad-signature       Spoil the signature: the server must refuse the call
  --list                List what can be sent
  -h, --help            Show this help

Output: one line per call: what was sent, the event id, HTTP status, latency and the
response body (trimmed). Several calls end with a summary: the count per status, p50
and p99 latency.

Exit code:
  0  every call got a 2xx answer; or, for deliberately invalid calls (--bad-signature,
     --timestamp-offset beyond ±${TIMESTAMP_TOLERANCE_SECONDS}), every call was refused with a 4xx other than 404
  1  any other answer, or no answer. A server that is not a user directory answers the
     users.* actions 501 UNIMPLEMENTED (the template is none until handlers/custom_users.ts
     is filled in, or points at the example directory), so those exit 1
  2  a usage error: unknown <what> or option, bad value, unusable --data, no secret

Permissions: the task reaches 127.0.0.1 and localhost only, and reads no file. For
another host or a --data file, Deno asks at run time, naming exactly that host or file.

Examples:
  deno task send organizations.changed
  deno task send users.changed --set displayName="Ada Lovelace"
  deno task send members.changed --count 20 --concurrency 4
  deno task send subscriptions.changed --repeat 3       # one event, delivered 3 times
  deno task send flows.changed --bad-signature          # the server should answer 401
  deno task send organizations.changed --data org.json  # {"organization": {...}} is enough
  deno task send users.list --url http://localhost:3000/api/userhub`;

/**
 * The `--list` text: each target, the action it is sent as, and what it means.
 *
 * @returns One line per target.
 *
 * @example
 * ```ts
 * import { listText } from "./help.ts";
 * import { TARGETS } from "./targets.ts";
 *
 * console.assert(listText().split("\n").length === Object.keys(TARGETS).length);
 * ```
 */
export function listText(): string {
  const width = Math.max(...TARGET_NAMES.map((name) => name.length));
  const actionWidth = Math.max(...TARGET_NAMES.map((name) => TARGETS[name].action.length));
  return TARGET_NAMES.map((name) => {
    const { action, description } = TARGETS[name];
    return `${name.padEnd(width)}  ${action.padEnd(actionWidth)}  ${description}`;
  }).join("\n");
}

/**
 * The `<what>` names of `--help`, from {@linkcode TARGETS}: the event types,
 * the challenge and the custom-user actions, each group on its own lines.
 */
function whatLines(): string {
  const challenge = (name: Target) => TARGETS[name].action === "challenge";
  const groups = [
    TARGET_NAMES.filter(isEventTarget),
    TARGET_NAMES.filter(challenge),
    TARGET_NAMES.filter((name) => !isEventTarget(name) && !challenge(name)),
  ];
  // 98 columns: as wide as the widest line of the rest of the help.
  return groups.flatMap((group) => wrap(group, 98)).join("\n");
}

/** Lays out names two spaces apart, indented by two, in lines of at most `width`. */
function wrap(names: readonly string[], width: number): string[] {
  const lines: string[] = [];
  for (const name of names) {
    const last = lines.at(-1);
    if (last !== undefined && last.length + 2 + name.length <= width) {
      lines[lines.length - 1] = `${last}  ${name}`;
    } else {
      lines.push(`  ${name}`);
    }
  }
  return lines;
}

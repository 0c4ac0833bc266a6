/**
 * Micro-benchmarks of decoding and dispatching the 1.6 KB bench event, beside
 * the least a receiver can do (`JSON.parse` of the decoded text) as the
 * baseline, so `deno bench` prints ratios.
 *
 * @module
 */

import { decodeEvent, dispatchEvents, type Logger } from "../userhub/mod.ts";
import { organizationsChangedBody } from "./fixture.ts";

const body = new TextEncoder().encode(organizationsChangedBody("evt_2LLkDJKdGvDCRh3JFsZQ9j"));
const decoder = new TextDecoder("utf-8", { fatal: true });
const lines: string[] = [];
const logger: Logger = {
  info: (message) => void lines.push(message),
  warn: () => {},
  error: () => {},
};
const dispatch = dispatchEvents({
  "organizations.changed": (event) => {
    const { organization } = event.organizationsChanged;
    lines.push(` - Organization: ${organization.id} ${organization.displayName ?? ""}`);
  },
}, { logger });

Deno.bench("JSON.parse", { group: "decode", baseline: true }, () => {
  JSON.parse(decoder.decode(body));
});
Deno.bench("decodeEvent()", { group: "decode" }, () => {
  decodeEvent(body);
});
Deno.bench("decodeEvent() + dispatch", { group: "decode" }, async () => {
  await dispatch(decodeEvent(body));
  lines.length = 0;
});

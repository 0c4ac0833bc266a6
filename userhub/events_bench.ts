/**
 * Micro-benchmarks of decoding an event (`deno bench userhub/`): the least a
 * receiver can do (`JSON.parse` of the decoded text) as the baseline, then
 * this receiver's `decodeEvent()` (strict UTF-8, times revived, the payload's
 * shape checked), on a sample `organizations.changed` event and on one of
 * 256 KiB (the organization with hundreds of account connections).
 *
 * @module
 */

import { decodeEvent } from "./events.ts";
import { samplePayload } from "./samples.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

function event(connections: number): Uint8Array {
  const payload = samplePayload("organizations.changed", new Date("2026-11-26T12:00:00Z"));
  const { organization } = payload;
  const connection = organization.accountConnections?.[0] ?? {};
  organization.accountConnections = Array.from({ length: connections }, (_, i) => ({
    ...connection,
    externalId: `cus_bench${i}`,
    createTime: "2025-03-01T10:00:00.000Z",
    updateTime: "2026-11-26T11:59:58.731Z",
  }));
  return encoder.encode(JSON.stringify({
    id: "evt_2LLkDJKdGvDCRh3JFsZQ9j",
    time: "2026-11-26T12:00:00.000Z",
    type: "organizations.changed",
    organizationsChanged: payload,
  }));
}

const small = event(1);
let large = event(1);
for (let n = 64; large.length < 256 * 1024; n += 64) large = event(n);

for (const [label, body] of [[`${small.length} B`, small], ["256 KiB", large]] as const) {
  Deno.bench(`JSON.parse ${label}`, { group: `decode ${label}`, baseline: true }, () => {
    JSON.parse(decoder.decode(body));
  });
  Deno.bench(`decodeEvent() ${label}`, { group: `decode ${label}` }, () => {
    decodeEvent(body);
  });
}

/**
 * The benchmark's events, built from the project's own sample (at a fixed
 * moment, with seeded ids): an `organizations.changed` call of about 1.5 KB,
 * the size of a real one, with a distinct event id per copy; and a large one
 * of 256 KiB (an organization with hundreds of account connections).
 *
 * @module
 */

import { samplePayload } from "../userhub/testing.ts";

const TIME = "2026-11-26T12:00:00.000Z";

/**
 * Builds the JSON body of an `organizations.changed` event.
 *
 * @param id The event id; distinct ids defeat duplicate protection.
 * @returns The body, about 1.5 KB.
 */
export function organizationsChangedBody(id: string): string {
  return JSON.stringify(organizationsChanged(id));
}

/** The size of the large event, in bytes: 256 KiB. */
export const LARGE_EVENT_BYTES = 256 * 1024;

/**
 * Builds the JSON body of an `organizations.changed` event of exactly
 * {@linkcode LARGE_EVENT_BYTES} bytes: the organization of
 * {@linkcode organizationsChangedBody} with as many account connections as
 * fit, each with its own ids and times, and the last one's `externalId`
 * padded to the exact size.
 *
 * @param id The event id.
 * @returns The body, 262,144 bytes of ASCII.
 */
export function largeOrganizationsChangedBody(id: string): string {
  const event = organizationsChanged(id);
  const connections = event.organizationsChanged.organization.accountConnections as Connection[];
  const template = connections[0]!;
  for (let i = 1; JSON.stringify(event).length < LARGE_EVENT_BYTES - 1024; i++) {
    const n = String(i).padStart(4, "0");
    connections.push({
      ...template,
      connection: { ...template.connection, id: `conn_bench${n}`, uniqueId: `stripe-${n}` },
      externalId: `cus_bench${n}`,
      adminUrl: `https://dashboard.stripe.com/customers/cus_bench${n}`,
    });
  }
  const last = connections[connections.length - 1]!;
  last.externalId += "x".repeat(LARGE_EVENT_BYTES - JSON.stringify(event).length);
  return JSON.stringify(event);
}

/** An account connection of the sample organization. */
interface Connection {
  connection: Record<string, unknown>;
  externalId: string;
  [field: string]: unknown;
}

function organizationsChanged(id: string) {
  return {
    id,
    time: TIME,
    type: "organizations.changed",
    organizationsChanged: samplePayload("organizations.changed", new Date(TIME), { seed: 1 }),
  };
}

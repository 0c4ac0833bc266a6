/**
 * Test helpers for the round trips through the app: an app over a fixed
 * clock whose handlers record what they receive, and the check of an error
 * answer. Shared by `main_test.ts`, `verification_test.ts`,
 * `dispatch_test.ts` and `body_limits_test.ts`.
 *
 * @module
 */

import assert from "node:assert/strict";
import { createApp } from "../main.ts";
import { eventBody, NOW_MS, recordingLogger, SECRET } from "./fixtures.ts";
import type { Event, EventHandlers } from "../userhub/mod.ts";
import { EVENT_TYPES } from "../userhub/mod.ts";

/** The `Webhook-Agent` header every answer carries. */
export const AGENT = /^userhub-webhooks-deno\/\d+\.\d+\.\d+$/;

/** The JSON body of an `organizations.changed` event: what most round trips send. */
export const organizationEvent = eventBody("organizations.changed");

/**
 * An app over a fixed clock whose handlers record what they receive.
 *
 * @param options Other secrets, or other handlers than the recording ones.
 * @returns The app, the events handled, the `onError` calls and the log lines.
 */
export function testApp(options: { secrets?: string[]; handlers?: EventHandlers } = {}) {
  const received: Event[] = [];
  const errors: unknown[][] = [];
  const logger = recordingLogger();
  const record = (event: Event) => {
    received.push(event);
  };
  const app = createApp({
    secrets: options.secrets ?? [SECRET],
    now: () => NOW_MS,
    logger,
    onError: (...args) => errors.push(args),
    handlers: options.handlers ??
      Object.fromEntries(Object.keys(EVENT_TYPES).map((type) => [type, record])),
  });
  return { app, received, errors, lines: logger.lines };
}

/**
 * Asserts the status, the JSON headers and the error code of a response.
 *
 * @param response The answer, its body read here.
 * @param status The expected HTTP status.
 * @param code The expected `code` of the JSON body.
 * @returns The `message` of the JSON body.
 */
export async function assertError(
  response: Response,
  status: number,
  code: string,
): Promise<string> {
  assert.equal(response.status, status);
  assert.equal(response.headers.get("content-type"), "application/json");
  assert.match(response.headers.get("webhook-agent") ?? "", AGENT);
  const body = await response.json();
  assert.equal(body.code, code);
  assert.equal(typeof body.message, "string");
  assert.deepEqual(Object.keys(body).sort(), ["code", "message"]);
  return body.message;
}

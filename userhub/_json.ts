/**
 * Reading JSON bodies: strict UTF-8, then `JSON.parse`.
 *
 * @module
 */

import { WebhookError } from "./errors.ts";

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Parses a raw body as UTF-8 JSON.
 *
 * @param body The raw bytes.
 * @param doing What the caller does, for the error, e.g. `Cannot decode event`.
 * @returns The parsed value.
 * @throws {WebhookError} 400 `INVALID_ARGUMENT` when the bytes are not UTF-8 JSON.
 *
 * @example
 * ```ts
 * import { parseJson } from "./_json.ts";
 *
 * console.assert(parseJson(new TextEncoder().encode("[1]"), "Cannot read") !== undefined);
 * ```
 */
export function parseJson(body: Uint8Array, doing: string): unknown {
  try {
    return JSON.parse(utf8.decode(body));
  } catch {
    throw new WebhookError("INVALID_ARGUMENT", `${doing}: the body is not UTF-8 JSON`);
  }
}

/**
 * Tells whether a value is a JSON object: not `null`, not an array.
 *
 * @param value A parsed value.
 * @returns Whether it is an object.
 *
 * @example
 * ```ts
 * import { isObject } from "./_json.ts";
 *
 * console.assert(isObject({}) && !isObject([]) && !isObject(null));
 * ```
 */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

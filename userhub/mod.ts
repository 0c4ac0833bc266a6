/**
 * A UserHub webhook receiver for Deno, written from the protocol contract:
 * signing, verification, typed events and the {@linkcode Webhook} class.
 *
 * @module
 */

export * from "./users.ts";
export * from "./_body.ts";
export * from "./call_report.ts";
export * from "./users.ts";
export * from "../dedupe/mod.ts";
export * from "../dedupe/_kv_store.ts";
export * from "./events.ts";
export * from "./errors.ts";
export * from "./events.ts";
export * from "./events.ts";
export * from "./log.ts";
export * from "./models.ts";
export * from "./log.ts";
export * from "./errors.ts";
export * from "./samples.ts";
export * from "./samples.ts";
export * from "./_signature.ts";
export * from "./_shape.ts";
export * from "./signed_headers.ts";
export * from "./_verify.ts";
export * from "./webhook.ts";
export * from "./webhook_options.ts";

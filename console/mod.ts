/**
 * The delivery console of `deno task dev`: every UserHub call in the browser,
 * and "deliver again". Off unless the `dev` task turns it on.
 *
 * @module
 */

export * from "./delivery_console.ts";
export * from "./local.ts";
export * from "./recorder.ts";

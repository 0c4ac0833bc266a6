/**
 * The delivery console of `deno task dev`: every UserHub call in the browser,
 * and "deliver again". Off unless the `dev` task turns it on.
 *
 * @module
 */

export * from "./_delivery_console.ts";
export * from "./_local.ts";
export * from "./_recorder.ts";

/**
 * The delivery console of `deno task dev`: every UserHub call in the browser,
 * and "deliver again". Off unless the `dev` task turns it on.
 *
 * @module
 */

export { DeliveryConsole } from "./_delivery_console.ts";
export { type CallDetails, CallRecorder, type CallSummary, type NewCall } from "./_recorder.ts";

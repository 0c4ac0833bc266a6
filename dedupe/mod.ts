/**
 * The stores of the duplicate check: where a receiver remembers the events it
 * handled and the signed requests it accepted, shared by every instance that
 * uses the same store. {@linkcode KvDeliveryGuard} keeps them in Deno KV.
 *
 * @module
 */

export { KvDeliveryGuard, type KvDeliveryGuardOptions } from "./_kv_store.ts";

/**
 * What the two stores share: how long a claim holds, how long a handled
 * event is remembered, how much each process keeps in memory, and renewing
 * a claim while its handler runs.
 *
 * @module
 */

/** The lease of a claim: 60 s. A holder that crashed frees it then. */
export const LEASE_MS = 60_000;
/** How long a handled event is remembered: 7 days. */
export const RETENTION_MS = 7 * 24 * 60 * 60 * 1000;
/**
 * How long the claim of a handler still running is renewed at most: 10
 * minutes. A handler that hangs then loses its claim a lease later, and a
 * redelivery may run the event again rather than be refused for ever.
 */
export const HOLD_LIMIT_MS = 10 * 60 * 1000;
/** How many handled event ids and signed requests a process also keeps in memory, of each. */
export const MEMORY = 10_000;
/** How many times a write that lost a race is read and tried again. */
export const MAX_ATTEMPTS = 5;

/**
 * Renews a claim every third of a lease while its handler runs, so that one
 * failed renewal (the store briefly down) still leaves another before the
 * claim expires. Renewing stops when a renewal finds the claim no longer
 * held, or after {@linkcode HOLD_LIMIT_MS}.
 *
 * @param lease The lease, in milliseconds.
 * @param now The clock, in milliseconds.
 * @param renew Extends the claim by a lease from now; whether it was still held.
 * @returns Stops renewing; resolves once no renewal is under way.
 */
export function holdWhileRunning(
  lease: number,
  now: () => number,
  renew: () => Promise<boolean>,
): () => Promise<void> {
  const until = now() + HOLD_LIMIT_MS;
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    if (now() >= until) return clearInterval(timer);
    running = renew().then(
      (held) => held || clearInterval(timer),
      () => {}, // Tried again at the next tick.
    );
  }, lease / 3);
  return async () => {
    clearInterval(timer);
    await running;
  };
}

/**
 * The statements of {@linkcode PostgresDeliveryGuard}, over the tables of
 * `schema.sql`. Every time is a parameter from the guard's clock, never the
 * database's `now()`, so that tests can move the clock.
 *
 * How one statement stays atomic under concurrency: each record is written
 * by an `UPDATE … WHERE expires_at <= now` that takes over an expired row
 * and an `INSERT … ON CONFLICT DO NOTHING` that adds a missing one. The
 * primary key decides which of two racing inserts wins; of two racing
 * takeovers, the second waits for the first and re-checks the newest version
 * of the row (PostgreSQL's read-committed update rule), which has not
 * expired any more, so it leaves it. Whichever order the two run in, at
 * most one writes. What a statement found instead is read with its snapshot,
 * which cannot see a row committed after it began: the caller then runs the
 * statement again. A repeat whose rows are live writes nothing and locks
 * nothing, so its commit waits for no disk flush.
 *
 * @module
 */

import type { Sql } from "./_postgres_store.ts";

/** The parameters of {@linkcode claimStatement}. */
export interface ClaimParameters {
  eventId: string;
  /** The random token of a claim taken now. */
  token: string;
  digest: string;
  action: string;
  now: Date;
  /** The end of the lease of a claim taken now. */
  claimUntil: Date;
  /** The end of the window of a signed request recorded now. */
  signedUntil: Date;
}

/** What {@linkcode claimStatement} found, in one row. */
export interface ClaimRow {
  /** The action the signed bytes belong to; `null` when unknown (raced). */
  signed_action: string | null;
  signed_until: Date | null;
  /** The token when this statement took the claim, else `null`. */
  token: string | null;
  /** The live event row it found instead, if one was visible. */
  state: "processing" | "done" | null;
  event_until: Date | null;
}

/**
 * Records the signed request (unless live already) and, only if its bytes
 * belong to this action, claims the event (unless held or done): both in one
 * statement, so one round trip and one commit for a new event.
 *
 * @param sql The pool.
 * @param p The parameters.
 * @returns One row.
 */
export function claimStatement(sql: Sql, p: ClaimParameters): Promise<ClaimRow[]> {
  return sql<ClaimRow[]>`
    WITH signed_taken AS (
      UPDATE userhub_dedupe_signed
         SET action = ${p.action}, expires_at = ${p.signedUntil}::timestamptz
       WHERE digest = ${p.digest} AND expires_at <= ${p.now}::timestamptz
      RETURNING action, expires_at
    ), signed_new AS (
      INSERT INTO userhub_dedupe_signed (digest, action, expires_at)
      VALUES (${p.digest}, ${p.action}, ${p.signedUntil}::timestamptz)
      ON CONFLICT (digest) DO NOTHING
      RETURNING action, expires_at
    ), signed AS (
      SELECT action, expires_at FROM signed_taken
      UNION ALL
      SELECT action, expires_at FROM signed_new
      UNION ALL
      SELECT action, expires_at FROM userhub_dedupe_signed
       WHERE digest = ${p.digest} AND expires_at > ${p.now}::timestamptz
         AND NOT EXISTS (SELECT FROM signed_taken) AND NOT EXISTS (SELECT FROM signed_new)
    ), claim_taken AS (
      UPDATE userhub_dedupe_events
         SET state = 'processing', token = ${p.token}::uuid,
             expires_at = ${p.claimUntil}::timestamptz
       WHERE id = ${p.eventId} AND expires_at <= ${p.now}::timestamptz
         AND EXISTS (SELECT FROM signed WHERE action = ${p.action})
      RETURNING token
    ), claim_new AS (
      INSERT INTO userhub_dedupe_events (id, state, token, expires_at)
      SELECT ${p.eventId}, 'processing', ${p.token}::uuid, ${p.claimUntil}::timestamptz
        FROM signed WHERE action = ${p.action}
      ON CONFLICT (id) DO NOTHING
      RETURNING token
    )
    SELECT signed.action AS signed_action, signed.expires_at AS signed_until,
           (SELECT token FROM claim_taken UNION ALL SELECT token FROM claim_new) AS token,
           event.state, event.expires_at AS event_until
      FROM (SELECT) AS one
      LEFT JOIN signed ON true
      LEFT JOIN userhub_dedupe_events AS event
        ON event.id = ${p.eventId} AND event.expires_at > ${p.now}::timestamptz`;
}

/** What {@linkcode rememberStatement} found. */
export interface RememberRow {
  action: string;
  expires_at: Date;
  /** Whether this statement recorded it. */
  inserted: boolean;
}

/**
 * Records a signed request unless it is live already.
 *
 * @returns Its row, or none when it was written after the statement began.
 */
export function rememberStatement(
  sql: Sql,
  digest: string,
  action: string,
  now: Date,
  until: Date,
): Promise<RememberRow[]> {
  return sql<RememberRow[]>`
    WITH signed_taken AS (
      UPDATE userhub_dedupe_signed SET action = ${action}, expires_at = ${until}::timestamptz
       WHERE digest = ${digest} AND expires_at <= ${now}::timestamptz
      RETURNING action, expires_at
    ), signed_new AS (
      INSERT INTO userhub_dedupe_signed (digest, action, expires_at)
      VALUES (${digest}, ${action}, ${until}::timestamptz)
      ON CONFLICT (digest) DO NOTHING
      RETURNING action, expires_at
    )
    SELECT action, expires_at, true AS inserted FROM signed_taken
    UNION ALL
    SELECT action, expires_at, true FROM signed_new
    UNION ALL
    SELECT action, expires_at, false FROM userhub_dedupe_signed
     WHERE digest = ${digest} AND expires_at > ${now}::timestamptz
       AND NOT EXISTS (SELECT FROM signed_taken) AND NOT EXISTS (SELECT FROM signed_new)`;
}

/** Marks an event done until `until`, whoever holds it. */
export function completeStatement(sql: Sql, eventId: string, until: Date): Promise<unknown> {
  return sql`
    INSERT INTO userhub_dedupe_events AS e (id, state, token, expires_at)
    VALUES (${eventId}, 'done', NULL, ${until}::timestamptz)
    ON CONFLICT (id) DO UPDATE
      SET state = 'done', token = NULL, expires_at = excluded.expires_at`;
}

/** Deletes a claim if this token still holds it (even past its lease: nobody took it over). */
export function releaseStatement(sql: Sql, eventId: string, token: string): Promise<unknown> {
  return sql`
    DELETE FROM userhub_dedupe_events
     WHERE id = ${eventId} AND state = 'processing' AND token = ${token}::uuid`;
}

/**
 * Extends a claim to `until` if this token still holds it.
 *
 * @returns One row when it did.
 */
export function renewStatement(
  sql: Sql,
  eventId: string,
  token: string,
  until: Date,
): Promise<readonly unknown[]> {
  return sql`
    UPDATE userhub_dedupe_events SET expires_at = ${until}::timestamptz
     WHERE id = ${eventId} AND state = 'processing' AND token = ${token}::uuid
    RETURNING 1`;
}

/**
 * Deletes at most `limit` expired rows of one table, oldest first, skipping
 * rows another transaction has locked: a short statement, never a long lock.
 * A row taken over since it was picked is left alone (its `expires_at` is
 * checked again).
 *
 * @returns The result, whose `count` is the rows deleted.
 */
export function deleteExpired(
  sql: Sql,
  table: "events" | "signed",
  now: Date,
  limit: number,
): Promise<{ count: number }> {
  return table === "events"
    ? sql`
      DELETE FROM userhub_dedupe_events
       WHERE ctid = ANY (ARRAY(
               SELECT ctid FROM userhub_dedupe_events
                WHERE expires_at <= ${now}::timestamptz
                ORDER BY expires_at LIMIT ${limit}
                  FOR UPDATE SKIP LOCKED))
         AND expires_at <= ${now}::timestamptz`
    : sql`
      DELETE FROM userhub_dedupe_signed
       WHERE ctid = ANY (ARRAY(
               SELECT ctid FROM userhub_dedupe_signed
                WHERE expires_at <= ${now}::timestamptz
                ORDER BY expires_at LIMIT ${limit}
                  FOR UPDATE SKIP LOCKED))
         AND expires_at <= ${now}::timestamptz`;
}

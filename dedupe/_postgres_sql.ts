/**
 * The statements of {@linkcode PostgresDeliveryGuard}, over the tables of
 * `schema.sql`. Every time is a parameter from the guard's clock, never the
 * database's `now()`, so that tests can move the clock.
 *
 * How a claim stays atomic under concurrency: each record is written
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

/** One delivery's claim, as {@linkcode claimStatement} takes it. */
export interface ClaimItem {
  eventId: string;
  /** The random token of a claim taken now. */
  token: string;
  digest: string;
  action: string;
  /** The end of the window of a signed request recorded now. */
  signedUntil: Date;
}

/** What {@linkcode claimStatement} found for one claim. */
export interface ClaimRow {
  /** The action the signed bytes belong to; `null` when unknown (raced). */
  signed_action: string | null;
  signed_until: Date | null;
  /** Whether this statement took the claim (with the item's token). */
  claimed: boolean;
  /** The live event row it found instead, if one was visible. */
  state: "processing" | "done" | null;
  event_until: Date | null;
}

/**
 * For each claim: records the signed request (unless live already) and,
 * only if its bytes belong to this action, claims the event (unless held or
 * done). One statement for any number of claims with distinct event ids and
 * digests, so one round trip and one commit for a new event, or for all the
 * new events that waited together. Rows are written in the order of the
 * event ids, so that two statements wait for each other in one order.
 *
 * @param sql The pool.
 * @param items The claims.
 * @param now The guard's clock.
 * @param claimUntil The end of the lease of a claim taken now.
 * @returns One row per item, in their order.
 */
export function claimStatement(
  sql: Sql,
  items: ClaimItem[],
  now: Date,
  claimUntil: Date,
): Promise<ClaimRow[]> {
  return items.length === 1
    ? claimOne(sql, items[0]!, now, claimUntil)
    : claimMany(sql, items, now, claimUntil);
}

/** One claim: the statement of {@linkcode claimMany} over scalars, measured at half its time. */
function claimOne(sql: Sql, item: ClaimItem, now: Date, claimUntil: Date): Promise<ClaimRow[]> {
  return sql<ClaimRow[]>`
    WITH signed_taken AS (
      UPDATE userhub_dedupe_signed
         SET action = ${item.action}, expires_at = ${item.signedUntil}::timestamptz
       WHERE digest = ${item.digest} AND expires_at <= ${now}::timestamptz
      RETURNING action, expires_at
    ), signed_new AS (
      INSERT INTO userhub_dedupe_signed (digest, action, expires_at)
      VALUES (${item.digest}, ${item.action}, ${item.signedUntil}::timestamptz)
      ON CONFLICT (digest) DO NOTHING
      RETURNING action, expires_at
    ), signed AS (
      SELECT action, expires_at FROM signed_taken
      UNION ALL
      SELECT action, expires_at FROM signed_new
      UNION ALL
      SELECT action, expires_at FROM userhub_dedupe_signed
       WHERE digest = ${item.digest} AND expires_at > ${now}::timestamptz
         AND NOT EXISTS (SELECT FROM signed_taken) AND NOT EXISTS (SELECT FROM signed_new)
    ), claim_taken AS (
      UPDATE userhub_dedupe_events
         SET state = 'processing', token = ${item.token}::uuid,
             expires_at = ${claimUntil}::timestamptz
       WHERE id = ${item.eventId} AND expires_at <= ${now}::timestamptz
         AND EXISTS (SELECT FROM signed WHERE action = ${item.action})
      RETURNING id
    ), claim_new AS (
      INSERT INTO userhub_dedupe_events (id, state, token, expires_at)
      SELECT ${item.eventId}, 'processing', ${item.token}::uuid, ${claimUntil}::timestamptz
        FROM signed WHERE action = ${item.action}
      ON CONFLICT (id) DO NOTHING
      RETURNING id
    )
    SELECT signed.action AS signed_action, signed.expires_at AS signed_until,
           (EXISTS (SELECT FROM claim_taken) OR EXISTS (SELECT FROM claim_new)) AS claimed,
           event.state, event.expires_at AS event_until
      FROM (SELECT) AS one
      LEFT JOIN signed ON true
      LEFT JOIN userhub_dedupe_events AS event
        ON event.id = ${item.eventId} AND event.expires_at > ${now}::timestamptz`;
}

/** Many claims with distinct event ids and digests, over arrays, rows written in id order. */
async function claimMany(
  sql: Sql,
  items: ClaimItem[],
  now: Date,
  claimUntil: Date,
): Promise<ClaimRow[]> {
  const rows = await sql<(ClaimRow & { ord: number })[]>`
    WITH input AS (
      SELECT * FROM unnest(
        ${items.map((item) => item.eventId)}::text[],
        ${items.map((item) => item.token)}::uuid[],
        ${items.map((item) => item.digest)}::text[],
        ${items.map((item) => item.action)}::text[],
        ${items.map((item) => item.signedUntil.toISOString())}::timestamptz[]
      ) WITH ORDINALITY AS input (id, token, digest, action, signed_until, ord)
    ), signed_taken AS (
      UPDATE userhub_dedupe_signed AS s SET action = i.action, expires_at = i.signed_until
        FROM input AS i
       WHERE s.digest = i.digest AND s.expires_at <= ${now}::timestamptz
      RETURNING s.digest, s.action, s.expires_at
    ), signed_new AS (
      INSERT INTO userhub_dedupe_signed (digest, action, expires_at)
      SELECT digest, action, signed_until FROM input ORDER BY id
      ON CONFLICT (digest) DO NOTHING
      RETURNING digest, action, expires_at
    ), signed AS (
      SELECT digest, action, expires_at FROM signed_taken
      UNION ALL
      SELECT digest, action, expires_at FROM signed_new
      UNION ALL
      SELECT s.digest, s.action, s.expires_at FROM userhub_dedupe_signed AS s
       WHERE s.digest IN (SELECT digest FROM input) AND s.expires_at > ${now}::timestamptz
         AND NOT EXISTS (SELECT FROM signed_taken AS t WHERE t.digest = s.digest)
         AND NOT EXISTS (SELECT FROM signed_new AS n WHERE n.digest = s.digest)
    ), eligible AS (
      SELECT i.id, i.token FROM input AS i
       WHERE EXISTS (SELECT FROM signed WHERE signed.digest = i.digest AND signed.action = i.action)
    ), claim_taken AS (
      UPDATE userhub_dedupe_events AS e
         SET state = 'processing', token = el.token, expires_at = ${claimUntil}::timestamptz
        FROM eligible AS el
       WHERE e.id = el.id AND e.expires_at <= ${now}::timestamptz
      RETURNING e.id
    ), claim_new AS (
      INSERT INTO userhub_dedupe_events (id, state, token, expires_at)
      SELECT id, 'processing', token, ${claimUntil}::timestamptz FROM eligible ORDER BY id
      ON CONFLICT (id) DO NOTHING
      RETURNING id
    )
    SELECT i.ord::int AS ord, s.action AS signed_action, s.expires_at AS signed_until,
           (EXISTS (SELECT FROM claim_taken AS t WHERE t.id = i.id)
             OR EXISTS (SELECT FROM claim_new AS n WHERE n.id = i.id)) AS claimed,
           e.state, e.expires_at AS event_until
      FROM input AS i
      LEFT JOIN signed AS s ON s.digest = i.digest
      LEFT JOIN userhub_dedupe_events AS e
        ON e.id = i.id AND e.expires_at > ${now}::timestamptz
     ORDER BY i.ord`;
  return rows;
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

/**
 * Marks events done until their time, whoever holds them: one statement for
 * any number of distinct event ids, written in their order.
 */
export function completeStatement(
  sql: Sql,
  items: { eventId: string; until: Date }[],
): Promise<unknown> {
  if (items.length === 1) {
    const [{ eventId, until }] = items as [{ eventId: string; until: Date }];
    return sql`
      INSERT INTO userhub_dedupe_events AS e (id, state, token, expires_at)
      VALUES (${eventId}, 'done', NULL, ${until}::timestamptz)
      ON CONFLICT (id) DO UPDATE
        SET state = 'done', token = NULL, expires_at = excluded.expires_at`;
  }
  return sql`
    INSERT INTO userhub_dedupe_events AS e (id, state, token, expires_at)
    SELECT id, 'done', NULL, until FROM unnest(
      ${items.map((item) => item.eventId)}::text[],
      ${items.map((item) => item.until.toISOString())}::timestamptz[]
    ) AS input (id, until)
    ORDER BY id
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

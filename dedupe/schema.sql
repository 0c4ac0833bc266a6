-- The duplicate check's records in PostgreSQL (see docs/duplicates.md).
-- Created on first start when missing; safe to run again. A row past its
-- expires_at counts as absent, whatever it says, until it is deleted in
-- small batches.

-- One row per event id: a claim while its handler runs, then done.
CREATE TABLE IF NOT EXISTS userhub_dedupe_events (
  id         text        PRIMARY KEY,
  -- 'processing' (a delivery holds the event, with token) or 'done'.
  state      text        NOT NULL CHECK (state IN ('processing', 'done')),
  -- The holder's random token while processing; NULL once done.
  token      uuid        CHECK ((state = 'processing') = (token IS NOT NULL)),
  -- The end of the lease while processing; of the retention once done.
  expires_at timestamptz NOT NULL
);

-- One row per signed request accepted: the SHA-256 of "<timestamp>.<body>".
CREATE TABLE IF NOT EXISTS userhub_dedupe_signed (
  digest     text        PRIMARY KEY,
  -- The action it was first accepted as, e.g. 'events.handle'.
  action     text        NOT NULL,
  expires_at timestamptz NOT NULL
);

-- For the removal of expired rows, oldest first, a small batch at a time.
CREATE INDEX IF NOT EXISTS userhub_dedupe_events_expires_at
  ON userhub_dedupe_events (expires_at);
CREATE INDEX IF NOT EXISTS userhub_dedupe_signed_expires_at
  ON userhub_dedupe_signed (expires_at);

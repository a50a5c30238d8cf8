-- Webhooks: account webhook entries, per-account secrets, and the durable delivery outbox.
-- A delivery row is inserted in the same transaction as the status change that causes it.

-- signing_secret: the Standard Webhooks key (whsec_...), created on first use.
-- global_secret: Sendblue's globalSecret, sent as sb-signing-secret when an entry has none.
CREATE TABLE webhook_settings (
  account_id     INTEGER PRIMARY KEY REFERENCES accounts (id),
  signing_secret TEXT    NOT NULL,
  global_secret  TEXT,
  updated_at     INTEGER NOT NULL
);

-- One row per (type, url) entry of /api/account/webhooks. disabled_at is set by a 410 Gone.
CREATE TABLE webhook_endpoints (
  id               INTEGER PRIMARY KEY,
  account_id       INTEGER NOT NULL REFERENCES accounts (id),
  type             TEXT    NOT NULL,
  url              TEXT    NOT NULL,
  secret           TEXT,
  sendblue_numbers TEXT,
  position         INTEGER NOT NULL,
  disabled_at      INTEGER,
  disabled_reason  TEXT,
  created_at       INTEGER NOT NULL,
  UNIQUE (account_id, type, url)
);

-- The outbox. next_attempt_at is when a pending delivery is due; NULL once final. A claimed
-- delivery is leased in memory (one process owns a SQLite file), so after a crash it is simply due.
-- webhook_id is shared by a delivery and its replays, so consumers can de-duplicate.
CREATE TABLE webhook_deliveries (
  id               INTEGER PRIMARY KEY,
  webhook_id       TEXT    NOT NULL,
  account_id       INTEGER NOT NULL REFERENCES accounts (id),
  kind             TEXT    NOT NULL,
  endpoint_id      INTEGER REFERENCES webhook_endpoints (id) ON DELETE SET NULL,
  url              TEXT    NOT NULL,
  destination      TEXT    NOT NULL,
  message_id       INTEGER,
  message_handle   TEXT,
  status_seq       INTEGER,
  payload          TEXT    NOT NULL,
  status           TEXT    NOT NULL,
  attempts         INTEGER NOT NULL DEFAULT 0,
  next_attempt_at  INTEGER,
  last_error       TEXT,
  last_http_status INTEGER,
  replay_of        INTEGER,
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_account ON webhook_deliveries (account_id, id);
CREATE INDEX webhook_deliveries_account_handle ON webhook_deliveries (account_id, message_handle, id);
CREATE INDEX webhook_deliveries_message ON webhook_deliveries (message_id, url) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_webhook_id ON webhook_deliveries (webhook_id);

-- Every attempt, for the delivery log.
CREATE TABLE webhook_attempts (
  id          INTEGER PRIMARY KEY,
  delivery_id INTEGER NOT NULL REFERENCES webhook_deliveries (id),
  attempt     INTEGER NOT NULL,
  started_at  INTEGER NOT NULL,
  duration_ms INTEGER NOT NULL,
  http_status INTEGER,
  error       TEXT
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, attempt);

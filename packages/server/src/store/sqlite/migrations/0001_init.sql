-- Tapback schema, version 1. Migrations are append-only: never edit a released file, add the next.
-- Times are epoch milliseconds (INTEGER); booleans are 0/1.

CREATE TABLE accounts (
  id         INTEGER PRIMARY KEY,
  email      TEXT    NOT NULL UNIQUE COLLATE NOCASE,
  plan       TEXT    NOT NULL DEFAULT 'dedicated',
  created_at INTEGER NOT NULL
);

-- Secrets are stored only as SHA-256 digests and compared in constant time.
CREATE TABLE api_keys (
  key_id        TEXT    PRIMARY KEY,
  account_id    INTEGER NOT NULL REFERENCES accounts (id),
  secret_digest TEXT    NOT NULL,
  label         TEXT,
  created_at    INTEGER NOT NULL,
  revoked_at    INTEGER
);
CREATE INDEX api_keys_account ON api_keys (account_id);

CREATE TABLE lines (
  id         INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts (id),
  number     TEXT    NOT NULL UNIQUE,
  provider   TEXT    NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX lines_account ON lines (account_id);

CREATE TABLE messages (
  id                 INTEGER PRIMARY KEY,
  handle             TEXT    NOT NULL UNIQUE,
  account_id         INTEGER NOT NULL REFERENCES accounts (id),
  is_outbound        INTEGER NOT NULL,
  status             TEXT    NOT NULL,
  content            TEXT    NOT NULL,
  media_url          TEXT    NOT NULL,
  send_style         TEXT    NOT NULL,
  from_number        TEXT    NOT NULL,
  to_number          TEXT    NOT NULL,
  number             TEXT    NOT NULL,
  sendblue_number    TEXT    NOT NULL,
  service            TEXT    NOT NULL,
  was_downgraded     INTEGER,
  error_code         INTEGER,
  error_message      TEXT,
  error_reason       TEXT,
  error_detail       TEXT,
  message_type       TEXT    NOT NULL,
  group_id           TEXT    NOT NULL,
  participants       TEXT    NOT NULL,
  group_display_name TEXT    NOT NULL,
  opted_out          INTEGER NOT NULL,
  status_callback    TEXT,
  created_at         INTEGER NOT NULL,
  sent_at            INTEGER NOT NULL,
  updated_at         INTEGER NOT NULL,
  status_seq         INTEGER NOT NULL
);
-- One index per documented way in: the default listing, by contact, by line, by status.
CREATE INDEX messages_account_created ON messages (account_id, created_at, id);
CREATE INDEX messages_account_number ON messages (account_id, number, created_at, id);
CREATE INDEX messages_account_line ON messages (account_id, sendblue_number, created_at, id);
CREATE INDEX messages_account_status ON messages (account_id, status, created_at, id);
CREATE INDEX messages_account_updated ON messages (account_id, updated_at, id);

-- The delivery queue. A claimed job's run_at is pushed to its lease expiry, so a job whose worker
-- died becomes due again by itself.
CREATE TABLE jobs (
  id         INTEGER PRIMARY KEY,
  kind       TEXT    NOT NULL,
  message_id INTEGER NOT NULL REFERENCES messages (id),
  run_at     INTEGER NOT NULL,
  attempts   INTEGER NOT NULL DEFAULT 0,
  leased_by  TEXT,
  last_error TEXT,
  payload    TEXT
);
CREATE INDEX jobs_due ON jobs (run_at);

CREATE TABLE idempotency_keys (
  account_id    INTEGER NOT NULL,
  key           TEXT    NOT NULL,
  request_hash  TEXT    NOT NULL,
  response_body TEXT    NOT NULL,
  created_at    INTEGER NOT NULL,
  PRIMARY KEY (account_id, key)
) WITHOUT ROWID;
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

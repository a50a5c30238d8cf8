-- A line's provider settings (an SMSC's address and credentials…), sealed as one blob with the
-- server's secret key: nothing in them is readable without it. NULL for a provider without settings
-- (the sandbox). `updated_at` moves on every change, so running servers notice and restart only
-- that line's provider.
ALTER TABLE lines ADD COLUMN settings TEXT;
ALTER TABLE lines ADD COLUMN updated_at INTEGER;
UPDATE lines SET updated_at = created_at;

-- The latest health transition of each line's provider, as a server reported it: what
-- `GET /api/v2/lines/state` and `tapback lines list` show, whichever process holds the connection.
CREATE TABLE line_health (
  number          TEXT    PRIMARY KEY REFERENCES lines (number) ON DELETE CASCADE,
  status          TEXT    NOT NULL,
  changed_at      INTEGER NOT NULL,
  degraded_since  INTEGER,
  last_error      TEXT,
  last_error_at   INTEGER,
  worker_id       TEXT    NOT NULL
);

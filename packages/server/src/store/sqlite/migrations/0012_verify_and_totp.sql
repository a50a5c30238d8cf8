-- Sendblue Verify (services and their inverted-OTP verifications) and stored TOTP secrets.

-- A Verify Service: the settings its verifications share. sid: 'SV' + 32 hex digits.
CREATE TABLE verify_services (
  id                 INTEGER PRIMARY KEY,
  sid                TEXT    NOT NULL UNIQUE,
  account_id         INTEGER NOT NULL REFERENCES accounts (id),
  friendly_name      TEXT    NOT NULL,
  code_length        INTEGER NOT NULL,
  ttl_seconds        INTEGER NOT NULL,
  use_customer_lines INTEGER NOT NULL,
  created_at         INTEGER NOT NULL,
  updated_at         INTEGER NOT NULL
);
CREATE INDEX verify_services_account ON verify_services (account_id, id);

-- A verification: pending until `to_number` texts `code` to `line`, or until expires_at.
-- updated_at: when the status last changed (an expiry is dated at expires_at).
CREATE TABLE verify_verifications (
  id           INTEGER PRIMARY KEY,
  sid          TEXT    NOT NULL UNIQUE,
  account_id   INTEGER NOT NULL REFERENCES accounts (id),
  service_sid  TEXT    NOT NULL,
  to_number    TEXT    NOT NULL,
  line         TEXT    NOT NULL,
  code         TEXT    NOT NULL,
  status       TEXT    NOT NULL,
  expires_at   INTEGER NOT NULL,
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL,
  completed_at INTEGER
);
-- The recovery list (updated_at_gte, in updated_at order).
CREATE INDEX verify_verifications_account_updated ON verify_verifications (account_id, updated_at, id);
-- An inbound message looks for the pending verifications of its sender on its line.
CREATE INDEX verify_verifications_pending_match ON verify_verifications (line, to_number) WHERE status = 'pending';
-- The expiry sweep.
CREATE INDEX verify_verifications_pending_expiry ON verify_verifications (expires_at) WHERE status = 'pending';
CREATE INDEX verify_verifications_service ON verify_verifications (service_sid);

-- A TOTP secret. id: a UUID. secret: sealed with the server's secret key (tbx1:...), never plain.
CREATE TABLE totp_secrets (
  id         TEXT    PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts (id),
  label      TEXT    NOT NULL,
  issuer     TEXT,
  algorithm  TEXT    NOT NULL,
  digits     INTEGER NOT NULL,
  period     INTEGER NOT NULL,
  secret     TEXT    NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX totp_secrets_account ON totp_secrets (account_id, created_at);

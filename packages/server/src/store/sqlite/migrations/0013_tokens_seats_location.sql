-- Temporary bearer tokens, seats, Find My location shares and per-line call forwarding.

-- A bearer token minted with an API key pair (POST /v3/auth/tokens). Only the SHA-256 digest of
-- the token is stored. phone_numbers: JSON array of the lines the token is limited to; empty means
-- the whole account. key_id: the key pair that minted it; revoking that key ends the token too.
CREATE TABLE auth_tokens (
  token_id      TEXT    PRIMARY KEY,
  account_id    INTEGER NOT NULL REFERENCES accounts (id),
  key_id        TEXT    NOT NULL REFERENCES api_keys (key_id),
  token_digest  TEXT    NOT NULL UNIQUE,
  phone_numbers TEXT    NOT NULL,
  created_at    INTEGER NOT NULL,
  expires_at    INTEGER NOT NULL,
  revoked_at    INTEGER
);
CREATE INDEX auth_tokens_account ON auth_tokens (account_id, expires_at);

-- The people (users) of an account, named on sends by seat_id. auth_subject: the seat's other
-- identifier (Sendblue's Firebase Auth subject), which retrieve accepts as well.
CREATE TABLE seats (
  seat_id           TEXT    PRIMARY KEY,
  account_id        INTEGER NOT NULL REFERENCES accounts (id),
  auth_subject      TEXT    NOT NULL UNIQUE,
  email             TEXT    NOT NULL,
  first_name        TEXT,
  last_name         TEXT,
  forwarding_number TEXT,
  created_at        INTEGER NOT NULL
);
CREATE INDEX seats_account ON seats (account_id, created_at, seat_id);

-- A contact asked (POST /api/request-location) to share their location with a line. accepts_at:
-- when the sandbox contact accepts (NULL: never, e.g. not an iMessage contact); the fix follows.
CREATE TABLE location_shares (
  line_id        INTEGER NOT NULL REFERENCES lines (id) ON DELETE CASCADE,
  number         TEXT    NOT NULL,
  account_id     INTEGER NOT NULL REFERENCES accounts (id),
  request_handle TEXT    NOT NULL,
  requested_at   INTEGER NOT NULL,
  accepts_at     INTEGER,
  PRIMARY KEY (line_id, number)
) WITHOUT ROWID;

-- Where calls to a line are forwarded (PUT /api/lines/{number}/call-forwarding); no row: not set.
CREATE TABLE call_forwarding (
  line_id           INTEGER PRIMARY KEY REFERENCES lines (id) ON DELETE CASCADE,
  account_id        INTEGER NOT NULL REFERENCES accounts (id),
  forwarding_number TEXT    NOT NULL,
  updated_at        INTEGER NOT NULL
);

-- Temporary bearer tokens, seats, Find My location shares and per-line call forwarding (mirrors
-- sqlite/migrations/0013_tokens_seats_location.sql).

-- A bearer token minted with an API key pair (POST /v3/auth/tokens). Only the SHA-256 digest of
-- the token is stored. phone_numbers: the lines the token is limited to; empty means the whole
-- account. key_id: the key pair that minted it; revoking that key ends the token too.
CREATE TABLE auth_tokens (
  token_id      text COLLATE "C" PRIMARY KEY,
  account_id    bigint NOT NULL REFERENCES accounts (id),
  key_id        text COLLATE "C" NOT NULL REFERENCES api_keys (key_id),
  token_digest  text COLLATE "C" NOT NULL UNIQUE,
  phone_numbers jsonb  NOT NULL,
  created_at    bigint NOT NULL,
  expires_at    bigint NOT NULL,
  revoked_at    bigint
);
CREATE INDEX auth_tokens_account ON auth_tokens (account_id, expires_at);

-- The people (users) of an account, named on sends by seat_id. auth_subject: the seat's other
-- identifier (Sendblue's Firebase Auth subject), which retrieve accepts as well.
CREATE TABLE seats (
  seat_id           text COLLATE "C" PRIMARY KEY,
  account_id        bigint NOT NULL REFERENCES accounts (id),
  auth_subject      text COLLATE "C" NOT NULL UNIQUE,
  email             text   NOT NULL,
  first_name        text,
  last_name         text,
  forwarding_number text,
  created_at        bigint NOT NULL
);
CREATE INDEX seats_account ON seats (account_id, created_at, seat_id);

-- A contact asked (POST /api/request-location) to share their location with a line. accepts_at:
-- when the sandbox contact accepts (NULL: never, e.g. not an iMessage contact); the fix follows.
CREATE TABLE location_shares (
  line_id        bigint NOT NULL REFERENCES lines (id) ON DELETE CASCADE,
  number         text   NOT NULL,
  account_id     bigint NOT NULL REFERENCES accounts (id),
  request_handle text   NOT NULL,
  requested_at   bigint NOT NULL,
  accepts_at     bigint,
  PRIMARY KEY (line_id, number)
);

-- Where calls to a line are forwarded (PUT /api/lines/{number}/call-forwarding); no row: not set.
CREATE TABLE call_forwarding (
  line_id           bigint PRIMARY KEY REFERENCES lines (id) ON DELETE CASCADE,
  account_id        bigint NOT NULL REFERENCES accounts (id),
  forwarding_number text   NOT NULL,
  updated_at        bigint NOT NULL
);

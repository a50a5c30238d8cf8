-- Sessions of the web inbox and the one-time codes that open them (mirrors
-- sqlite/migrations/0023_inbox_sessions.sql).

-- A browser session (the `tapback_session` cookie). Only the SHA-256 digest of the cookie value is
-- stored. key_id: the key pair it acts for; token_id: the bearer token it was made from, if any.
-- Revoking either ends the session; deleting the account, key or token deletes it.
CREATE TABLE inbox_sessions (
  session_id     text COLLATE "C" PRIMARY KEY,
  session_digest text COLLATE "C" NOT NULL UNIQUE,
  account_id     bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  key_id         text COLLATE "C" NOT NULL REFERENCES api_keys (key_id) ON DELETE CASCADE,
  token_id       text COLLATE "C" REFERENCES auth_tokens (token_id) ON DELETE CASCADE,
  created_at     bigint NOT NULL,
  expires_at     bigint NOT NULL
);
CREATE INDEX inbox_sessions_account ON inbox_sessions (account_id, expires_at);

-- A one-time sign-in code (the `#sign-in=` link). Only its SHA-256 digest is stored; exchanging
-- it deletes the row, so it opens one session at most.
CREATE TABLE sign_in_codes (
  code_digest text COLLATE "C" PRIMARY KEY,
  account_id  bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  key_id      text COLLATE "C" NOT NULL REFERENCES api_keys (key_id) ON DELETE CASCADE,
  created_at  bigint NOT NULL,
  expires_at  bigint NOT NULL
);
CREATE INDEX sign_in_codes_expiry ON sign_in_codes (expires_at);

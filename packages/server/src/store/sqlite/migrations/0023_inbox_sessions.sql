-- Sessions of the web inbox and the one-time codes that open them.

-- A browser session (the `tapback_session` cookie). Only the SHA-256 digest of the cookie value is
-- stored. key_id: the key pair it acts for; token_id: the bearer token it was made from, if any.
-- Revoking either ends the session; deleting the account, key or token deletes it.
CREATE TABLE inbox_sessions (
  session_id     TEXT    PRIMARY KEY,
  session_digest TEXT    NOT NULL UNIQUE,
  account_id     INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  key_id         TEXT    NOT NULL REFERENCES api_keys (key_id) ON DELETE CASCADE,
  token_id       TEXT    REFERENCES auth_tokens (token_id) ON DELETE CASCADE,
  created_at     INTEGER NOT NULL,
  expires_at     INTEGER NOT NULL
);
CREATE INDEX inbox_sessions_account ON inbox_sessions (account_id, expires_at);

-- A one-time sign-in code (the `#sign-in=` link). Only its SHA-256 digest is stored; exchanging
-- it deletes the row, so it opens one session at most.
CREATE TABLE sign_in_codes (
  code_digest TEXT    PRIMARY KEY,
  account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  key_id      TEXT    NOT NULL REFERENCES api_keys (key_id) ON DELETE CASCADE,
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sign_in_codes_expiry ON sign_in_codes (expires_at);

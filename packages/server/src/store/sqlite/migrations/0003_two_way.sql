-- Two-way messaging: contacts' opt-out state, per-account settings, group conversations.

-- One row per contact whose opt-out state was ever set (a STOP/START keyword or the opt-out API).
-- A contact without a row has not opted out.
CREATE TABLE contacts (
  account_id INTEGER NOT NULL REFERENCES accounts (id),
  number     TEXT    NOT NULL,
  opted_out  INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (account_id, number)
) WITHOUT ROWID;

-- help_reply: what HELP/INFO get; NULL means Tapback's default.
CREATE TABLE account_settings (
  account_id INTEGER PRIMARY KEY REFERENCES accounts (id),
  help_reply TEXT,
  updated_at INTEGER NOT NULL
);

-- members: JSON array of the contacts (the line not included), in joining order.
-- member_key: the sorted members joined by commas, to find the group a numbers[] send means.
CREATE TABLE chat_groups (
  id         INTEGER PRIMARY KEY,
  group_id   TEXT    NOT NULL UNIQUE,
  account_id INTEGER NOT NULL REFERENCES accounts (id),
  line       TEXT    NOT NULL,
  name       TEXT    NOT NULL,
  members    TEXT    NOT NULL,
  member_key TEXT    NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX chat_groups_members ON chat_groups (account_id, line, member_key, id);

-- A group's messages (the group_id filter, and a group's latest message).
CREATE INDEX messages_account_group ON messages (account_id, group_id, created_at, id);

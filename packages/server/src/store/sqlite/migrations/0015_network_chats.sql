-- What a line's network (BlueBubbles) reports about chats and how its events arrive.

-- A network's group chat (a BlueBubbles chat guid), per line, mapped to the Tapback group its
-- messages are stored in. Found or created on the chat's first message; never reassigned.
CREATE TABLE network_chats (
  line       TEXT    NOT NULL,
  chat_id    TEXT    NOT NULL,
  account_id INTEGER NOT NULL REFERENCES accounts (id),
  group_id   TEXT    NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (line, chat_id)
);

-- How a line's network events reach Tapback. mode: 'webhook' or 'polling'; detail: why the mode
-- was chosen; last_webhook_at: the last webhook the network delivered for the line.
CREATE TABLE line_event_sources (
  line            TEXT    PRIMARY KEY,
  mode            TEXT    NOT NULL,
  detail          TEXT,
  changed_at      INTEGER NOT NULL,
  last_webhook_at INTEGER
);

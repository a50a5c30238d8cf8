-- What a line's network (BlueBubbles) reports about chats and how its events arrive (mirrors
-- sqlite/migrations/0015_network_chats.sql).

-- A network's group chat (a BlueBubbles chat guid), per line, mapped to the Tapback group its
-- messages are stored in. Found or created on the chat's first message; never reassigned.
CREATE TABLE network_chats (
  line       text COLLATE "C" NOT NULL,
  chat_id    text COLLATE "C" NOT NULL,
  account_id bigint NOT NULL REFERENCES accounts (id),
  group_id   text COLLATE "C" NOT NULL,
  created_at bigint NOT NULL,
  PRIMARY KEY (line, chat_id)
);

-- How a line's network events reach Tapback. mode: 'webhook' or 'polling'; detail: why the mode
-- was chosen; last_webhook_at: the last webhook the network delivered for the line.
CREATE TABLE line_event_sources (
  line            text COLLATE "C" PRIMARY KEY,
  mode            text   NOT NULL,
  detail          text,
  changed_at      bigint NOT NULL,
  last_webhook_at bigint
);

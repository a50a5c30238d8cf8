-- Conversations (GET /api/v2/conversations): one row per account, line and peer, pointing at the
-- newest message between them. Kept by triggers on messages, so every way a message is stored
-- (sends, inbound, group sends, replies, imports) keeps it without code of its own, and listing
-- conversations never groups the messages at read time.
--   group_id  '' for a 1:1 conversation; the group's id for a group conversation
--   number    the contact of a 1:1 conversation; '' for a group (its messages carry their sender)
-- The newest message is the greatest (created_at, id). Nothing references an account here: the
-- rows go with their last message (delete trigger below), so an account reset or deletion, or the
-- retention pruner, never leaves one pointing at a deleted message.
CREATE TABLE conversations (
  id              INTEGER PRIMARY KEY,
  account_id      INTEGER NOT NULL,
  line            TEXT    NOT NULL,
  group_id        TEXT    NOT NULL,
  number          TEXT    NOT NULL,
  last_message_id INTEGER NOT NULL,
  last_message_at INTEGER NOT NULL,
  service         TEXT    NOT NULL,
  UNIQUE (account_id, line, group_id, number)
);
-- The list, newest first, for the whole account and for one line.
CREATE INDEX conversations_recent ON conversations (account_id, last_message_at, id);
CREATE INDEX conversations_line_recent ON conversations (account_id, line, last_message_at, id);

-- Read marks (POST /api/v2/conversations/read), by the conversation's natural key, so they are
-- copied as they are by `tapback migrate-db` while conversations themselves are rebuilt by the
-- triggers. A mark goes with its conversation.
CREATE TABLE conversation_reads (
  account_id INTEGER NOT NULL,
  line       TEXT    NOT NULL,
  group_id   TEXT    NOT NULL,
  number     TEXT    NOT NULL,
  read_at    INTEGER NOT NULL,
  PRIMARY KEY (account_id, line, group_id, number)
) WITHOUT ROWID;

-- Unread counts: the inbound messages of one conversation after its read mark, read as a short
-- range of one of these (partial: each holds only its kind of conversation).
CREATE INDEX messages_conversation_direct ON messages (account_id, sendblue_number, number, is_outbound, created_at)
  WHERE group_id = '';
CREATE INDEX messages_conversation_group ON messages (account_id, group_id, is_outbound, created_at)
  WHERE group_id <> '';

CREATE TRIGGER messages_conversation_insert AFTER INSERT ON messages BEGIN
  INSERT INTO conversations (account_id, line, group_id, number, last_message_id, last_message_at, service)
  VALUES (new.account_id, new.sendblue_number, new.group_id, CASE WHEN new.group_id = '' THEN new.number ELSE '' END,
          new.id, new.created_at, new.service)
  ON CONFLICT (account_id, line, group_id, number) DO UPDATE
     SET last_message_id = excluded.last_message_id, last_message_at = excluded.last_message_at,
         service = excluded.service
   WHERE excluded.last_message_at > conversations.last_message_at
      OR (excluded.last_message_at = conversations.last_message_at
          AND excluded.last_message_id > conversations.last_message_id);
END;

-- A delivery by SMS instead of iMessage changes the service of the conversation's newest message.
CREATE TRIGGER messages_conversation_service AFTER UPDATE OF service ON messages
  WHEN old.service IS NOT new.service BEGIN
  UPDATE conversations SET service = new.service
   WHERE account_id = new.account_id AND line = new.sendblue_number AND group_id = new.group_id
     AND number = CASE WHEN new.group_id = '' THEN new.number ELSE '' END AND last_message_id = new.id;
END;

-- Deleting a conversation's newest message moves it to the newest one left, or removes it (and
-- its read mark) when none is left. Any other deleted message costs one lookup by key. One trigger
-- per kind of conversation, so each lookup of the messages left has exact terms for an index.
CREATE TRIGGER messages_conversation_delete_direct AFTER DELETE ON messages WHEN old.group_id = '' BEGIN
  DELETE FROM conversations
   WHERE account_id = old.account_id AND line = old.sendblue_number AND group_id = '' AND number = old.number
     AND last_message_id = old.id
     AND NOT EXISTS (
       SELECT 1 FROM messages m
        WHERE m.account_id = old.account_id AND m.number = old.number AND m.sendblue_number = old.sendblue_number
          AND m.group_id = '');
  UPDATE conversations
     SET (last_message_id, last_message_at, service) = (
       SELECT m.id, m.created_at, m.service FROM messages m
        WHERE m.account_id = old.account_id AND m.number = old.number AND m.sendblue_number = old.sendblue_number
          AND m.group_id = ''
        ORDER BY m.created_at DESC, m.id DESC LIMIT 1)
   WHERE account_id = old.account_id AND line = old.sendblue_number AND group_id = '' AND number = old.number
     AND last_message_id = old.id;
END;

CREATE TRIGGER messages_conversation_delete_group AFTER DELETE ON messages WHEN old.group_id <> '' BEGIN
  DELETE FROM conversations
   WHERE account_id = old.account_id AND line = old.sendblue_number AND group_id = old.group_id AND number = ''
     AND last_message_id = old.id
     AND NOT EXISTS (
       SELECT 1 FROM messages m
        WHERE m.account_id = old.account_id AND m.group_id = old.group_id AND m.sendblue_number = old.sendblue_number);
  UPDATE conversations
     SET (last_message_id, last_message_at, service) = (
       SELECT m.id, m.created_at, m.service FROM messages m
        WHERE m.account_id = old.account_id AND m.group_id = old.group_id AND m.sendblue_number = old.sendblue_number
        ORDER BY m.created_at DESC, m.id DESC LIMIT 1)
   WHERE account_id = old.account_id AND line = old.sendblue_number AND group_id = old.group_id AND number = ''
     AND last_message_id = old.id;
END;

CREATE TRIGGER conversations_delete_read AFTER DELETE ON conversations BEGIN
  DELETE FROM conversation_reads
   WHERE account_id = old.account_id AND line = old.line AND group_id = old.group_id AND number = old.number;
END;

-- The messages already stored: one pass, the newest message of each conversation.
INSERT INTO conversations (account_id, line, group_id, number, last_message_id, last_message_at, service)
SELECT account_id, sendblue_number, group_id, peer, id, created_at, service FROM (
  SELECT account_id, sendblue_number, group_id, CASE WHEN group_id = '' THEN number ELSE '' END AS peer, id,
         created_at, service,
         row_number() OVER (PARTITION BY account_id, sendblue_number, group_id,
                                         CASE WHEN group_id = '' THEN number ELSE '' END
                            ORDER BY created_at DESC, id DESC) AS rank
    FROM messages)
 WHERE rank = 1;

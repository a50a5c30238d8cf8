-- Full-text search of messages (GET /api/v2/messages/search) and each message's status history
-- (GET /api/v2/messages/{handle}/timeline), both kept by triggers on messages whatever stores them.

-- An FTS5 index over messages.content that stores no copy of the text (external content: the
-- rows are read from messages). unicode61 folds case; diacritics are kept, as PostgreSQL's
-- 'simple' configuration keeps them. A search is whole words, all required, so the index keeps
-- no positions (detail = none) and no sizes for ranking (columnsize = 0): less to write per message.
CREATE VIRTUAL TABLE messages_fts USING fts5(
  content, content = 'messages', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 0',
  detail = none, columnsize = 0
);
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
  INSERT INTO messages_fts (rowid, content) VALUES (new.id, new.content);
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, content) VALUES ('delete', old.id, old.content);
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF content ON messages WHEN old.content IS NOT new.content BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, content) VALUES ('delete', old.id, old.content);
  INSERT INTO messages_fts (rowid, content) VALUES (new.id, new.content);
END;
INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');

-- Every status a message took, in order (id): the first as stored, then each change, dated by the
-- row's updated_at, with the error fields it carried then. Gone with its message (the ids of a
-- SQLite table may be used again once the newest rows are deleted).
CREATE TABLE message_status_history (
  id            INTEGER PRIMARY KEY,
  message_id    INTEGER NOT NULL,
  status        TEXT    NOT NULL,
  at            INTEGER NOT NULL,
  error_code    INTEGER,
  error_message TEXT
);
CREATE INDEX message_status_history_message ON message_status_history (message_id, id);

CREATE TRIGGER messages_status_history_insert AFTER INSERT ON messages BEGIN
  INSERT INTO message_status_history (message_id, status, at, error_code, error_message)
  VALUES (new.id, new.status, new.updated_at, new.error_code, new.error_message);
END;
CREATE TRIGGER messages_status_history_update AFTER UPDATE OF status ON messages
  WHEN old.status IS NOT new.status BEGIN
  INSERT INTO message_status_history (message_id, status, at, error_code, error_message)
  VALUES (new.id, new.status, new.updated_at, new.error_code, new.error_message);
END;
CREATE TRIGGER messages_status_history_delete AFTER DELETE ON messages BEGIN
  DELETE FROM message_status_history WHERE message_id = old.id;
END;

-- The messages already stored: their current status, as of their last change.
INSERT INTO message_status_history (message_id, status, at, error_code, error_message)
SELECT id, status, updated_at, error_code, error_message FROM messages ORDER BY id;

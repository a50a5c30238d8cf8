-- The conversations (0021), the search index and the status history (0022) are kept by the store
-- itself from here on when it inserts a message or changes its status: it writes the history row
-- and the index entry with the message, and one conversation upsert per conversation at the end
-- of the transaction (sqlite/inbox-projections.ts). Any row trigger on messages makes SQLite keep
-- a statement journal for every insert and status change (the handle's UNIQUE constraint may abort
-- the statement after its triggers wrote), which spilled to a temporary file per statement: with
-- these three insert triggers a message insert cost ~4x what it costs without them.
-- The delete triggers stay: deletes (retention, account reset and deletion) are rare and multi-row,
-- so they keep a statement journal anyway, and they keep any deletion exact whoever runs it.
-- The content trigger stays: the store never changes a message's content, so it costs nothing.
-- Anything that inserts messages or changes their status without the store must rebuild these
-- (REBUILD_INBOX_SQL in sqlite/inbox-projections.ts).
DROP TRIGGER messages_conversation_insert;
DROP TRIGGER messages_conversation_service;
DROP TRIGGER messages_fts_insert;
DROP TRIGGER messages_status_history_insert;
DROP TRIGGER messages_status_history_update;

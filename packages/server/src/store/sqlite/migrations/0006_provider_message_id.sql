-- The network's own id for a message, once a real network returns one (NULL until then, and for
-- messages no network carried). A network's ids are unique per line, and a later receipt finds its
-- message by them: hence the unique index per line, which holds only the rows that have an id.
ALTER TABLE messages ADD COLUMN provider_message_id TEXT;
CREATE UNIQUE INDEX messages_line_provider_id ON messages (sendblue_number, provider_message_id)
  WHERE provider_message_id IS NOT NULL;

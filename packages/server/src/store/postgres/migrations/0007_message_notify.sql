-- Wakes pending `GET /sandbox/wait` requests in every process (LISTEN tapback_messages) when
-- messages are stored, so a wait costs no queries while nothing arrives. The payload names the
-- accounts (comma-separated ids), so only their waits look again. Sent at commit, once per
-- distinct payload per transaction, so a group commit of many sends costs one. Updates notify
-- nothing: what a wait matches on (numbers, content) never changes once a message is stored.
CREATE FUNCTION tapback_notify_messages() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  accounts text;
BEGIN
  SELECT string_agg(DISTINCT account_id::text, ',') INTO accounts FROM inserted_messages;
  IF accounts IS NULL THEN
    RETURN NULL;
  END IF;
  -- A payload must stay under 8000 bytes; an empty one wakes every account's waits.
  PERFORM pg_notify('tapback_messages', CASE WHEN length(accounts) > 7000 THEN '' ELSE accounts END);
  RETURN NULL;
END;
$$;
CREATE TRIGGER messages_notify AFTER INSERT ON messages REFERENCING NEW TABLE AS inserted_messages
  FOR EACH STATEMENT EXECUTE FUNCTION tapback_notify_messages();

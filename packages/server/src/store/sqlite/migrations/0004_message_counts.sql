-- Exact totals for GET /api/v2/messages without counting rows (see store/message-filter.ts): the
-- number of messages per account, and per account and value of each filter worth it. Messages are
-- never deleted and only their status changes, so triggers keep the counts exact in the very
-- transaction of every insert and every status change, whatever the code path (sends, inbound,
-- replies, imports).
--   all      ''                  every message of the account
--   number   the contact         line     the sending/receiving line (sendblue_number)
--   self     number, where the contact is the line itself (counted on both sides of `number`)
--   outbound '1' or '0'          status   the current status          group    group_id
CREATE TABLE message_counts (
  account_id INTEGER NOT NULL,
  dimension  TEXT    NOT NULL,
  value      TEXT    NOT NULL,
  n          INTEGER NOT NULL,
  PRIMARY KEY (account_id, dimension, value)
) WITHOUT ROWID;

-- One statement per message: SQLite has only row triggers (a single writer, so no lock order to keep).
CREATE TRIGGER messages_count_insert AFTER INSERT ON messages BEGIN
  INSERT INTO message_counts (account_id, dimension, value, n)
  SELECT new.account_id, d.dimension, d.value, 1
    FROM (SELECT 'all' AS dimension, '' AS value
          UNION ALL SELECT 'group', new.group_id
          UNION ALL SELECT 'line', new.sendblue_number
          UNION ALL SELECT 'number', new.number
          UNION ALL SELECT 'outbound', CASE WHEN new.is_outbound THEN '1' ELSE '0' END
          UNION ALL SELECT 'self', new.number WHERE new.number = new.sendblue_number
          UNION ALL SELECT 'status', new.status) AS d
   WHERE true
  ON CONFLICT (account_id, dimension, value) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER messages_count_update AFTER UPDATE OF status ON messages WHEN old.status IS NOT new.status BEGIN
  INSERT INTO message_counts (account_id, dimension, value, n)
  VALUES (old.account_id, 'status', old.status, -1), (new.account_id, 'status', new.status, 1)
  ON CONFLICT (account_id, dimension, value) DO UPDATE SET n = n + excluded.n;
END;

-- The messages already stored.
INSERT INTO message_counts (account_id, dimension, value, n)
SELECT account_id, dimension, value, count(*) FROM (
  SELECT account_id, 'all' AS dimension, '' AS value FROM messages
  UNION ALL SELECT account_id, 'group', group_id FROM messages
  UNION ALL SELECT account_id, 'line', sendblue_number FROM messages
  UNION ALL SELECT account_id, 'number', number FROM messages
  UNION ALL SELECT account_id, 'outbound', CASE WHEN is_outbound THEN '1' ELSE '0' END FROM messages
  UNION ALL SELECT account_id, 'self', number FROM messages WHERE number = sendblue_number
  UNION ALL SELECT account_id, 'status', status FROM messages)
GROUP BY account_id, dimension, value;

-- Version 4 (mirrors sqlite/migrations/0004_message_counts.sql for the counts): exact message
-- counts kept by triggers, and, on PostgreSQL only, the outbox claim's indexes and queue tables'
-- autovacuum settings.

-- The outbox claim and the dispatcher's next-due query read deliveries in (next_attempt_at, id)
-- order and stop after a page. The index on next_attempt_at alone ties by heap position, so
-- PostgreSQL sorted every pending row first (a bitmap scan, then a sort: ~30 ms per claim with a
-- few thousand pending); this index is the claim's exact order, read and stopped early.
-- (SQLite needs no such index: its index entries end with the rowid, which is the id.)
CREATE INDEX webhook_deliveries_due_order ON webhook_deliveries (next_attempt_at, id) WHERE status = 'pending';
DROP INDEX webhook_deliveries_due;
-- The "held back by an earlier delivery" check looks up (message_id, url, id < this one): with the
-- id in the index it is one exact range probe, never a pick between indexes on estimates.
CREATE INDEX webhook_deliveries_chain ON webhook_deliveries (message_id, url, id) WHERE status = 'pending';
DROP INDEX webhook_deliveries_message;

-- The queue tables churn (every claim and every outcome rewrites or deletes rows): vacuumed and
-- analyzed early, index scans skip few dead entries and plans follow the real row counts.
ALTER TABLE jobs SET (autovacuum_vacuum_scale_factor = 0.01, autovacuum_analyze_scale_factor = 0.01);
ALTER TABLE webhook_deliveries SET (autovacuum_vacuum_scale_factor = 0.01, autovacuum_analyze_scale_factor = 0.01);

-- Exact totals for GET /api/v2/messages without counting rows (see store/message-filter.ts): the
-- number of messages per account, and per account and value of each filter worth it. Messages are
-- never deleted and only their status changes, so triggers keep the counts exact in the very
-- transaction of every insert and every status change, whatever the code path (sends, inbound,
-- replies, imports). Statement-level triggers with transition tables: one upsert per key per
-- statement, so a group commit of many sends for one account updates each of its rows once, and in
-- key order (ORDER BY), so concurrent transactions of several processes lock them in one order.
--   all      ''                  every message of the account
--   number   the contact         line     the sending/receiving line (sendblue_number)
--   self     number, where the contact is the line itself (counted on both sides of `number`)
--   outbound '1' or '0'          status   the current status          group    group_id
CREATE TABLE message_counts (
  account_id bigint NOT NULL,
  dimension  text COLLATE "C" NOT NULL,
  value      text COLLATE "C" NOT NULL,
  n          bigint NOT NULL,
  PRIMARY KEY (account_id, dimension, value)
);

CREATE FUNCTION tapback_count_inserted_messages() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO message_counts (account_id, dimension, value, n)
  SELECT m.account_id, d.dimension, d.value, count(*)
    FROM inserted_messages m
    CROSS JOIN LATERAL (VALUES ('all', ''), ('group', m.group_id), ('line', m.sendblue_number), ('number', m.number),
      ('outbound', CASE WHEN m.is_outbound THEN '1' ELSE '0' END), ('self', CASE WHEN m.number = m.sendblue_number
      THEN m.number END), ('status', m.status)) AS d (dimension, value)
   WHERE d.value IS NOT NULL
   GROUP BY 1, 2, 3
   ORDER BY 1, 2, 3
  ON CONFLICT (account_id, dimension, value) DO UPDATE SET n = message_counts.n + excluded.n;
  RETURN NULL;
END;
$$;
CREATE TRIGGER messages_count_insert AFTER INSERT ON messages REFERENCING NEW TABLE AS inserted_messages
  FOR EACH STATEMENT EXECUTE FUNCTION tapback_count_inserted_messages();

CREATE FUNCTION tapback_count_status_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO message_counts (account_id, dimension, value, n)
  SELECT c.account_id, 'status', c.status, sum(c.n)
    FROM old_messages o JOIN new_messages m ON m.id = o.id AND m.status <> o.status
    CROSS JOIN LATERAL (VALUES (o.account_id, o.status, -1), (m.account_id, m.status, 1)) AS c (account_id, status, n)
   GROUP BY 1, 3
  HAVING sum(c.n) <> 0
   ORDER BY 1, 3
  ON CONFLICT (account_id, dimension, value) DO UPDATE SET n = message_counts.n + excluded.n;
  RETURN NULL;
END;
$$;
CREATE TRIGGER messages_count_update AFTER UPDATE ON messages
  REFERENCING OLD TABLE AS old_messages NEW TABLE AS new_messages
  FOR EACH STATEMENT EXECUTE FUNCTION tapback_count_status_changes();

-- The messages already stored.
INSERT INTO message_counts (account_id, dimension, value, n)
SELECT m.account_id, d.dimension, d.value, count(*)
  FROM messages m
  CROSS JOIN LATERAL (VALUES ('all', ''), ('group', m.group_id), ('line', m.sendblue_number), ('number', m.number),
    ('outbound', CASE WHEN m.is_outbound THEN '1' ELSE '0' END), ('self', CASE WHEN m.number = m.sendblue_number
    THEN m.number END), ('status', m.status)) AS d (dimension, value)
 WHERE d.value IS NOT NULL
 GROUP BY 1, 2, 3;

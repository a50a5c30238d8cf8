-- The SQLite backend moved its message counters from row triggers into its own transactions at
-- this level. PostgreSQL keeps the statement-level triggers of 0004: one upsert per counter per
-- statement already, whatever the batch size. This file keeps both dialects at the same level.
SELECT 1;

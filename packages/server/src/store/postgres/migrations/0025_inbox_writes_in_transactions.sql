-- The SQLite backend moved the insert and status-change maintenance of conversations, the search
-- index and the status history from row triggers into its own transactions at this level.
-- PostgreSQL keeps the statement-level triggers of 0021 and 0022: they run once per statement
-- over its transition tables, whatever the batch size. This file keeps both dialects at the same level.
SELECT 1;

-- The message counters (0004) are kept by the store itself from here on: each transaction sums its
-- changes in memory and writes one upsert per counter at its end (message-count-deltas.ts), instead
-- of seven row-trigger upserts per stored message. Anything that writes messages without the store
-- must update message_counts too (bench/lib/seed.mjs recounts after its bulk inserts).
DROP TRIGGER messages_count_insert;
DROP TRIGGER messages_count_update;

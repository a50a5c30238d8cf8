-- When the recipient read an outbound message, as its network reported it (epoch ms); NULL until
-- then, and for every message a network never reports reads for. Only the first report is kept.
-- Adding a nullable column without a default rewrites no rows.
ALTER TABLE messages ADD COLUMN read_at bigint;

-- Routing with SMS fallback. fallback_line: the number of another line of the same account whose
-- network carries SMS; a message to a recipient the line cannot reach by iMessage goes out there
-- (delivery/router.ts). NULL: the line falls back to itself when its own network carries SMS, and
-- has no SMS route otherwise. fallback_after_ms: how long an iMessage send waits for a delivery
-- before it is sent by SMS instead; NULL means the default (60 s).
ALTER TABLE lines ADD COLUMN fallback_line text;
ALTER TABLE lines ADD COLUMN fallback_after_ms bigint;

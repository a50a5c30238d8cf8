-- PostgreSQL notifies other processes of new messages at this level (LISTEN tapback_messages) to
-- wake their pending waits. A SQLite file has one writing process, which wakes its own waits as it
-- stores messages: nothing to add here, but the level stays the same in both dialects.
SELECT 1;

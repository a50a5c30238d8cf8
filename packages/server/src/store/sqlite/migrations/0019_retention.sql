-- Retention (TAPBACK_RETENTION_DAYS): the pruner deletes finished webhook deliveries, oldest
-- first, in small batches. Without this index each batch would scan the whole log to find them;
-- partial, so pending deliveries (the dispatcher's hot rows) gain no index entry until they finish.
CREATE INDEX webhook_deliveries_finished ON webhook_deliveries (updated_at, id) WHERE status <> 'pending';

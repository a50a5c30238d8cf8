-- What each webhook attempt sent and got back, for the delivery log.
-- request_headers: JSON object of the headers the attempt was signed with (a shared
--   `sb-signing-secret` is stored redacted). response_excerpt: at most the first 1,024 bytes of
--   the answer's body, decoded as UTF-8; null when no answer came. response_content_type: its
--   content-type header, if any. Pruned with their attempts.
ALTER TABLE webhook_attempts ADD COLUMN request_headers TEXT;
ALTER TABLE webhook_attempts ADD COLUMN response_excerpt TEXT;
ALTER TABLE webhook_attempts ADD COLUMN response_content_type TEXT;

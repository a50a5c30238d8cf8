-- What a real network reports about the messages a line sent. Its ids are unique per line only, so
-- every table here is keyed by the line and the network's id. A long SMS travels as segments, each
-- with an id and a state of its own; the message's status is their fold (store/receipt-plan.ts).
-- A segment is QUEUED until a receipt names it, and its last receipt is kept (JSON status patch)
-- for the error fields a failed one gives the whole message. Gone with its message.
CREATE TABLE network_segments (
  line       TEXT    NOT NULL,
  network_id TEXT    NOT NULL,
  message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  position   INTEGER NOT NULL,
  status     TEXT    NOT NULL,
  patch      TEXT,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (line, network_id)
);
CREATE INDEX network_segments_message ON network_segments (message_id);

-- Receipts that arrived before the send's outcome recorded their id (a receipt may overtake the
-- network's answer to the send), kept in arrival order (id) until that outcome applies them, or
-- until they are older than the server's bound and dropped.
CREATE TABLE early_receipts (
  id          INTEGER PRIMARY KEY,
  line        TEXT    NOT NULL,
  network_id  TEXT    NOT NULL,
  patch       TEXT    NOT NULL,
  received_at INTEGER NOT NULL
);
CREATE INDEX early_receipts_network_id ON early_receipts (line, network_id, id);
CREATE INDEX early_receipts_received ON early_receipts (received_at, id);

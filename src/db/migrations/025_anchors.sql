-- 025_anchors.sql — anchors stamped by an outside time source (docs/exchange.md, "Time source"):
-- the heads of the message log and the audit trail at a moment, the time source's time and its
-- Ed25519 signature over (hash of the heads, time), and the node's signature over the anchor.
-- An entry of the message log is covered by the first anchor whose exchange_seq reaches it.
CREATE TABLE exchange_anchors (
  id BIGINT PRIMARY KEY, made_at BIGINT NOT NULL, node_id TEXT NOT NULL,
  audit_seq BIGINT NOT NULL, audit_hash TEXT NOT NULL, exchange_seq BIGINT NOT NULL, exchange_hash TEXT NOT NULL,
  stamped_hash TEXT NOT NULL, ts_time TEXT NOT NULL, ts_key TEXT NOT NULL, ts_signature TEXT NOT NULL,
  node_signature TEXT NOT NULL);
CREATE INDEX exchange_anchors_by_seq ON exchange_anchors (exchange_seq);

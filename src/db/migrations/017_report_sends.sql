-- 017_report_sends.sql — published figures sent up to the Government reporting system.
-- Publishing a version queues one row in the same transaction: the document (the exact bytes
-- sent) and its detached Ed25519 signature. A sender task posts it until the receiver
-- acknowledges it (sent_at, receipt), always the same bytes under the same idempotency key
-- (unit/period/cut/version); an acknowledged row is never sent again.
CREATE TABLE report_sends (
  unit TEXT NOT NULL, period TEXT NOT NULL, cut TEXT NOT NULL, version INTEGER NOT NULL,
  document TEXT NOT NULL, signature TEXT NOT NULL, key_id TEXT NOT NULL,
  created_at BIGINT NOT NULL, attempts INTEGER NOT NULL, next_at BIGINT NOT NULL,
  last_attempt_at BIGINT, last_error TEXT, sent_at BIGINT, receipt TEXT,
  PRIMARY KEY (unit, period, cut, version));
CREATE INDEX report_sends_pending ON report_sends (sent_at, next_at);

-- 007_outbox.sql — status changes waiting to be published to the National Public Service Portal.
-- A row is written in the same transaction as the change, so none is lost; it is sent until the
-- portal acknowledges it, always with the same idempotency key, so none is applied twice.
CREATE TABLE outbox (
  id TEXT PRIMARY KEY, code TEXT NOT NULL, payload TEXT NOT NULL, created_at BIGINT NOT NULL,
  attempts INTEGER NOT NULL, next_at BIGINT NOT NULL, acked_at BIGINT, last_error TEXT);
CREATE INDEX outbox_pending ON outbox (acked_at, next_at);
CREATE INDEX outbox_by_dossier ON outbox (code);

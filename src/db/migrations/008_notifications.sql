-- 008_notifications.sql — messages to applicants about their dossiers: kept as the citizen's inbox
-- and delivered by e-mail when the citizen has an address and the server has an SMTP relay.
CREATE TABLE notifications (
  id TEXT PRIMARY KEY, citizen_id TEXT NOT NULL, code TEXT NOT NULL, to_status INTEGER NOT NULL,
  note TEXT NOT NULL, created_at BIGINT NOT NULL, email_to TEXT, sent_at BIGINT, attempts INTEGER NOT NULL,
  next_at BIGINT NOT NULL, last_error TEXT);
CREATE INDEX notifications_by_citizen ON notifications (citizen_id, created_at);
CREATE INDEX notifications_pending ON notifications (sent_at, next_at);

-- 010_sms.sql — notifications also go by SMS through an HTTP gateway. Each channel keeps its own
-- delivery state (the e-mail columns stay: email_to, sent_at, attempts, next_at, last_error), so
-- one channel's success or failure never stops or repeats the other's. Messages queued before
-- this migration are not texted (a status change long past is not news): sms_next_at defaults to
-- never, and notification_add sets it for new messages.
ALTER TABLE notifications ADD COLUMN sms_to TEXT;
ALTER TABLE notifications ADD COLUMN sms_sent_at BIGINT;
ALTER TABLE notifications ADD COLUMN sms_attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE notifications ADD COLUMN sms_next_at BIGINT NOT NULL DEFAULT 9223372036854775807;
ALTER TABLE notifications ADD COLUMN sms_error TEXT;
UPDATE notifications SET sms_error = 'queued before SMS delivery existed';
CREATE INDEX notifications_sms_pending ON notifications (sms_sent_at, sms_next_at);

-- 020_staff_mail.sql — officers' work e-mail addresses, and the messages sent to them (reminders
-- of report forms due): one row a message, its key unique so a reminder goes out once.
ALTER TABLE users ADD COLUMN email TEXT;
CREATE TABLE staff_messages (
  id TEXT PRIMARY KEY, message_key TEXT NOT NULL UNIQUE, username TEXT NOT NULL, email TEXT NOT NULL,
  subject TEXT NOT NULL, body TEXT NOT NULL, created_at BIGINT NOT NULL, attempts INTEGER NOT NULL,
  next_at BIGINT NOT NULL, sent_at BIGINT, last_error TEXT);
CREATE INDEX staff_messages_due ON staff_messages (sent_at, next_at);

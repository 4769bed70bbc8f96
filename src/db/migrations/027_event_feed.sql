-- 027_event_feed.sql — the portal outbox and the notifications are read from the timeline. Every
-- status change gets a number in one order for the whole database (event_head, advanced in the
-- change's transaction, so numbers follow the order of commits even with several servers); each
-- delivery channel (portal, email, sms) keeps a cursor: the last change it has taken. A channel
-- writes its outbox or notification row when it delivers, not when the change is made.
CREATE TABLE event_head (id INTEGER PRIMARY KEY, last BIGINT NOT NULL);
ALTER TABLE dossier_events ADD COLUMN id BIGINT;
CREATE TABLE event_numbers (code TEXT NOT NULL, seq INTEGER NOT NULL, n BIGINT NOT NULL);
INSERT INTO event_numbers (code, seq, n)
  SELECT code, seq, ROW_NUMBER() OVER (ORDER BY at, code, seq) FROM dossier_events;
CREATE INDEX event_numbers_by_event ON event_numbers (code, seq);
UPDATE dossier_events SET id = (SELECT n FROM event_numbers x WHERE x.code = dossier_events.code AND x.seq = dossier_events.seq);
DROP TABLE event_numbers;
INSERT INTO event_head (id, last) SELECT 1, COALESCE(MAX(id), 0) FROM dossier_events;
CREATE UNIQUE INDEX dossier_events_by_id ON dossier_events (id);

-- the changes made before this migration already have their rows: every channel starts after them
CREATE TABLE delivery_cursors (channel TEXT PRIMARY KEY, last BIGINT NOT NULL);
INSERT INTO delivery_cursors (channel, last) SELECT 'portal', last FROM event_head;
INSERT INTO delivery_cursors (channel, last) SELECT 'email', last FROM event_head;
INSERT INTO delivery_cursors (channel, last) SELECT 'sms', last FROM event_head;

-- the rows are joined to their change by its number
ALTER TABLE outbox ADD COLUMN event_id BIGINT;
UPDATE outbox SET event_id = (SELECT e.id FROM dossier_events e WHERE e.code = outbox.code AND e.at = outbox.created_at
  AND outbox.payload LIKE ('%"to":' || e.to_status || ',%') ORDER BY e.seq LIMIT 1);
CREATE INDEX outbox_by_event ON outbox (event_id);
ALTER TABLE notifications ADD COLUMN event_id BIGINT;
UPDATE notifications SET event_id = (SELECT e.id FROM dossier_events e WHERE e.code = notifications.code
  AND e.at = notifications.created_at AND e.to_status = notifications.to_status ORDER BY e.seq LIMIT 1);
CREATE INDEX notifications_by_event ON notifications (event_id);

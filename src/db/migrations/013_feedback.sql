-- 013_feedback.sql — feedback and petitions (phản ánh, kiến nghị): a person reports a problem to
-- the responsible unit, optionally about a dossier; the unit answers by the deadline; the sender
-- says whether the answer satisfies them.
CREATE TABLE feedback (
  id TEXT PRIMARY KEY, citizen_id TEXT NOT NULL, sender TEXT NOT NULL, unit TEXT NOT NULL, code TEXT,
  subject TEXT NOT NULL, body TEXT NOT NULL, created_at BIGINT NOT NULL, due_at BIGINT NOT NULL,
  answer TEXT, answered_by TEXT, answered_at BIGINT, satisfied INTEGER, rated_at BIGINT);
CREATE INDEX feedback_by_citizen ON feedback (citizen_id, created_at);
CREATE INDEX feedback_by_unit ON feedback (unit, answered_at, due_at);

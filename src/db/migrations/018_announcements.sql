-- 018_announcements.sql — the province's decisions announcing procedures (công bố thủ tục hành
-- chính) and when each appeared in the national procedure database: the transparency
-- indicators T1 and T2 of the service index read them.
CREATE TABLE procedure_announcements (
  id TEXT PRIMARY KEY, procedure_code TEXT NOT NULL, unit TEXT NOT NULL, decision TEXT NOT NULL,
  signed_on TEXT NOT NULL, effective_on TEXT NOT NULL, published_on TEXT,
  recorded_by TEXT NOT NULL, recorded_at BIGINT NOT NULL);
CREATE INDEX procedure_announcements_by_signed ON procedure_announcements (signed_on);
CREATE INDEX procedure_announcements_by_procedure ON procedure_announcements (procedure_code, signed_on);

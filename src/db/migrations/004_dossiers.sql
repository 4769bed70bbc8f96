-- 004_dossiers.sql — dossiers (hồ sơ), their per-unit per-day code sequence and their timeline.
CREATE TABLE dossier_seq (unit TEXT NOT NULL, day TEXT NOT NULL, last BIGINT NOT NULL, PRIMARY KEY (unit, day));

CREATE TABLE dossiers (
  code TEXT PRIMARY KEY, procedure_code TEXT NOT NULL, unit TEXT NOT NULL, agency TEXT NOT NULL,
  applicant_id TEXT NOT NULL, submitted_by TEXT NOT NULL, channel INTEGER NOT NULL,
  status INTEGER NOT NULL, fields TEXT NOT NULL,
  received_at BIGINT NOT NULL, accepted_at BIGINT, due_at BIGINT, paused_at BIGINT,
  finished_at BIGINT, returned_at BIGINT, supplements INTEGER NOT NULL, apology TEXT,
  rev BIGINT NOT NULL, updated_at BIGINT NOT NULL);
CREATE INDEX dossiers_by_applicant ON dossiers (applicant_id, received_at);
CREATE INDEX dossiers_by_desk ON dossiers (unit, agency, status, due_at);

CREATE TABLE dossier_events (
  code TEXT NOT NULL, seq INTEGER NOT NULL, at BIGINT NOT NULL, actor TEXT NOT NULL,
  from_status INTEGER NOT NULL, to_status INTEGER NOT NULL, note TEXT NOT NULL,
  PRIMARY KEY (code, seq));

-- 009_steps.sql — the internal process (quy trình nội bộ) of each dossier: a row each time a step
-- opens, with its own due time; closed when handed on (forward), sent back (back) or when the
-- dossier ends (stopped). Lateness per step and per officer is read from here.
CREATE TABLE dossier_steps (
  code TEXT NOT NULL, seq INTEGER NOT NULL, step TEXT NOT NULL, unit TEXT NOT NULL, assignee TEXT,
  started_at BIGINT NOT NULL, due_at BIGINT NOT NULL, paused_at BIGINT, finished_at BIGINT,
  handler TEXT, outcome TEXT, note TEXT NOT NULL,
  PRIMARY KEY (code, seq));
CREATE INDEX dossier_steps_by_unit ON dossier_steps (unit, finished_at);

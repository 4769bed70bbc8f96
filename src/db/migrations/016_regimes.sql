-- 016_regimes.sql — the forms of the report regimes (chế độ báo cáo, data/report-regimes.json):
-- one a regime, period and submitting unit; figures as a JSON object (indicator → number); state
-- draft → submitted → approved, or returned (with the leader's note) and submitted again; late
-- once submitted after the deadline.
CREATE TABLE report_forms (
  regime TEXT NOT NULL, period TEXT NOT NULL, unit TEXT NOT NULL, state TEXT NOT NULL, figures TEXT NOT NULL,
  late INTEGER NOT NULL, note TEXT, updated_by TEXT NOT NULL, updated_at BIGINT NOT NULL,
  submitted_by TEXT, submitted_at BIGINT, decided_by TEXT, decided_at BIGINT,
  PRIMARY KEY (regime, period, unit));
CREATE INDEX report_forms_by_unit ON report_forms (unit, state);

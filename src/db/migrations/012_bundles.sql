-- 012_bundles.sql — life-event bundles (liên thông): one application that files a component
-- dossier with each agency, in order, carrying data from one to the next.
CREATE TABLE bundles (
  id TEXT PRIMARY KEY, type TEXT NOT NULL, applicant_id TEXT NOT NULL, submitted_by TEXT NOT NULL,
  fields TEXT NOT NULL, subject_id TEXT, outputs TEXT NOT NULL, state TEXT NOT NULL, reason TEXT,
  created_at BIGINT NOT NULL, due_at BIGINT NOT NULL, finished_at BIGINT);
CREATE INDEX bundles_by_applicant ON bundles (applicant_id, created_at);

CREATE TABLE bundle_components (
  bundle_id TEXT NOT NULL, component TEXT NOT NULL, seq INTEGER NOT NULL, procedure_code TEXT NOT NULL,
  code TEXT, state TEXT NOT NULL, started_at BIGINT, finished_at BIGINT,
  PRIMARY KEY (bundle_id, component));
CREATE INDEX bundle_components_by_code ON bundle_components (code);

-- 014_report_facts.sql — what the index counts, kept up to date as dossiers change.
-- report_dirty: dossiers changed since their facts were last read (filled in the transaction
-- that changes them, drained by the facts sync). report_facts: one row a dossier, what the
-- counters need of it (flags: see src/report/facts.c). report_counts: the counters summed per
-- unit, procedure and half-month (the Decree 09 and the calendar cuts both fall on the 1st or the
-- 15th), so a period's figures are a sum over a few rows a unit, not a pass over its dossiers.
CREATE TABLE report_dirty (code TEXT PRIMARY KEY);
CREATE TABLE report_facts (
  code TEXT PRIMARY KEY, procedure_code TEXT NOT NULL, unit TEXT NOT NULL, status INTEGER NOT NULL,
  received_at BIGINT NOT NULL, finished_at BIGINT, due_at BIGINT, flags BIGINT NOT NULL);
CREATE INDEX report_facts_by_received ON report_facts (received_at);
CREATE INDEX report_facts_by_finished ON report_facts (finished_at);
CREATE TABLE report_counts (
  unit TEXT NOT NULL, half BIGINT NOT NULL, procedure_code TEXT NOT NULL,
  received BIGINT NOT NULL, received_synced BIGINT NOT NULL, received_online BIGINT NOT NULL,
  direct BIGINT NOT NULL, direct_digitised BIGINT NOT NULL, received_with_documents BIGINT NOT NULL,
  received_reuse BIGINT NOT NULL, finished BIGINT NOT NULL, finished_on_time BIGINT NOT NULL,
  finished_e_result BIGINT NOT NULL, finished_satisfied BIGINT NOT NULL, finished_fully_online BIGINT NOT NULL,
  fee_due BIGINT NOT NULL, fee_paid BIGINT NOT NULL,
  finished_seconds BIGINT NOT NULL, -- of the finished: seconds from receipt to result, summed
  PRIMARY KEY (half, unit, procedure_code));
-- Every column in one index, so a period's sum reads the index alone, in order of half-months.
CREATE INDEX report_counts_whole ON report_counts (half, unit, procedure_code, received, received_synced,
  received_online, direct, direct_digitised, received_with_documents, received_reuse, finished, finished_on_time,
  finished_e_result, finished_satisfied, finished_fully_online, fee_due, fee_paid, finished_seconds);
-- Published figures: closing a period freezes version 1 (the report and the dossiers behind
-- it); a recomputation that differs makes the next version, with its diff.
CREATE TABLE report_versions (
  unit TEXT NOT NULL, period TEXT NOT NULL, cut TEXT NOT NULL, version INTEGER NOT NULL,
  created_at BIGINT NOT NULL, created_by TEXT NOT NULL, reason TEXT NOT NULL, report TEXT NOT NULL,
  diff TEXT, PRIMARY KEY (unit, period, cut, version));
CREATE TABLE report_version_dossiers (
  unit TEXT NOT NULL, period TEXT NOT NULL, cut TEXT NOT NULL, version INTEGER NOT NULL,
  code TEXT NOT NULL, dossier_unit TEXT NOT NULL, procedure_code TEXT NOT NULL,
  received_at BIGINT NOT NULL, finished_at BIGINT, flags BIGINT NOT NULL,
  PRIMARY KEY (unit, period, cut, version, code));
-- The dossiers that existed before this migration are counted by the first sync.
INSERT INTO report_dirty (code) SELECT code FROM dossiers;

-- 005_fees_ratings.sql — fees paid by bank transfer (VietQR) and the applicants' ratings.
ALTER TABLE dossiers ADD COLUMN paid_at BIGINT;
CREATE TABLE payments (
  transaction_id TEXT PRIMARY KEY, code TEXT NOT NULL, amount BIGINT NOT NULL, paid_at TEXT NOT NULL,
  received_at BIGINT NOT NULL);
CREATE INDEX payments_by_dossier ON payments (code);
CREATE TABLE ratings (
  code TEXT PRIMARY KEY, score INTEGER NOT NULL, comment TEXT NOT NULL, at BIGINT NOT NULL);

-- 011_results.sql — the document store: each unit's signing key, the results issued
-- electronically (content, its hash, the signed claim, the stored PDF), and documents attached
-- to a dossier by reference to a stored one (reused_from).
CREATE TABLE unit_keys (
  unit TEXT PRIMARY KEY, public_key TEXT NOT NULL, secret_key TEXT NOT NULL, created_at BIGINT NOT NULL);

CREATE TABLE issued (
  id TEXT PRIMARY KEY, code TEXT NOT NULL UNIQUE, holder_id TEXT NOT NULL, procedure_code TEXT NOT NULL,
  unit TEXT NOT NULL, issued_at BIGINT NOT NULL, content TEXT NOT NULL, content_sha256 TEXT NOT NULL,
  claim TEXT NOT NULL, pdf_sha256 TEXT NOT NULL, pdf_size BIGINT NOT NULL, shared TEXT NOT NULL,
  revoked_at BIGINT);
CREATE INDEX issued_by_holder ON issued (holder_id, issued_at);

ALTER TABLE documents ADD COLUMN reused_from TEXT;

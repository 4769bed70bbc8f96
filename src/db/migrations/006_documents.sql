-- 006_documents.sql — documents attached to dossiers. The files themselves are stored by content
-- (SHA-256) outside the database; a row says which dossier and which required document a file is.
CREATE TABLE documents (
  code TEXT NOT NULL, doc_id TEXT NOT NULL, sha256 TEXT NOT NULL, size BIGINT NOT NULL,
  type TEXT NOT NULL, name TEXT NOT NULL, uploaded_by TEXT NOT NULL, digitised INTEGER NOT NULL,
  at BIGINT NOT NULL,
  PRIMARY KEY (code, doc_id, sha256));

-- 001_foundation.sql — units, catalog, accounts, sessions, audit trail. Portable SQL (SQLite and PostgreSQL).
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE units (
  code TEXT NOT NULL, valid_from TEXT NOT NULL, valid_to TEXT,
  name TEXT NOT NULL, type TEXT NOT NULL, level TEXT NOT NULL, parent TEXT,
  PRIMARY KEY (code, valid_from));

CREATE TABLE unit_links (
  old_code TEXT NOT NULL, new_code TEXT NOT NULL, level TEXT NOT NULL, kind TEXT NOT NULL,
  effective TEXT NOT NULL,
  PRIMARY KEY (effective, old_code, new_code));

CREATE TABLE agencies (kind TEXT PRIMARY KEY, doc TEXT NOT NULL);

CREATE TABLE procedures (code TEXT PRIMARY KEY, doc TEXT NOT NULL, loaded_at BIGINT NOT NULL);

CREATE TABLE attribute_catalog (name TEXT PRIMARY KEY, doc TEXT NOT NULL);

CREATE TABLE users (
  id TEXT PRIMARY KEY, username TEXT NOT NULL UNIQUE, role TEXT NOT NULL,
  unit TEXT, agency TEXT, citizen_id TEXT, password_hash TEXT NOT NULL,
  created_at BIGINT NOT NULL, disabled INTEGER NOT NULL DEFAULT 0);

CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL, created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL);
CREATE INDEX sessions_by_user ON sessions (user_id);

CREATE TABLE login_failures (
  username TEXT PRIMARY KEY, failures INTEGER NOT NULL, last_at BIGINT NOT NULL,
  locked_until BIGINT NOT NULL);

CREATE TABLE audit_head (id INTEGER PRIMARY KEY, seq BIGINT NOT NULL, hash TEXT NOT NULL);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
CREATE TABLE audit_log (
  seq BIGINT PRIMARY KEY, at BIGINT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
  object TEXT NOT NULL, detail TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);

-- 002_registry.sql — the once-only citizen registry: current record, superseded versions,
-- consents and the data-usage log. Portable SQL.
CREATE TABLE citizens (
  id TEXT PRIMARY KEY, doc TEXT NOT NULL, perm_unit TEXT, rev BIGINT NOT NULL,
  created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL);
-- no index on perm_unit yet: nothing queries by it, and it would slow bulk import by a third

CREATE TABLE attribute_history (
  citizen_id TEXT NOT NULL, name TEXT NOT NULL, version BIGINT NOT NULL, value TEXT NOT NULL,
  source TEXT NOT NULL, verified INTEGER NOT NULL, updated_at BIGINT NOT NULL, actor TEXT NOT NULL,
  superseded_at BIGINT NOT NULL,
  PRIMARY KEY (citizen_id, name, version));

CREATE TABLE consents (
  id TEXT PRIMARY KEY, citizen_id TEXT NOT NULL, recipient TEXT NOT NULL, purpose TEXT NOT NULL,
  attributes TEXT NOT NULL, created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL,
  revoked_at BIGINT);
CREATE INDEX consents_by_citizen ON consents (citizen_id, created_at);
CREATE INDEX consents_by_recipient ON consents (recipient, citizen_id);

-- one key serves both uniqueness and the citizen's newest-first listing: an entry costs one
-- index insert, which matters because every staff read writes one
CREATE TABLE data_usage (
  id TEXT NOT NULL, citizen_id TEXT NOT NULL, at BIGINT NOT NULL, actor TEXT NOT NULL,
  actor_unit TEXT, action TEXT NOT NULL, attributes TEXT NOT NULL, purpose TEXT NOT NULL,
  PRIMARY KEY (citizen_id, at, id));

CREATE TABLE drafts (
  id TEXT PRIMARY KEY, citizen_id TEXT NOT NULL, procedure_code TEXT NOT NULL, fields TEXT NOT NULL,
  created_at BIGINT NOT NULL);
CREATE INDEX drafts_by_citizen ON drafts (citizen_id);

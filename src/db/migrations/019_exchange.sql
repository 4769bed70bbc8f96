-- 019_exchange.sql — the X-Road-style data exchange (docs/exchange.md): this node's identity,
-- the purposes a call may name, members with their subsystems and services, grants, the message
-- ids already seen (replay), and the signed, hash-chained message log with the citizens each
-- message carried. The node's secret key is not here: it lives in a key file beside the database.
CREATE TABLE exchange_node (
  id INTEGER PRIMARY KEY, node_id TEXT NOT NULL, public_key TEXT NOT NULL, created_at BIGINT NOT NULL);
CREATE TABLE exchange_purposes (
  code TEXT PRIMARY KEY, name_vi TEXT NOT NULL, name_en TEXT NOT NULL,
  legal_basis_vi TEXT NOT NULL, legal_basis_en TEXT NOT NULL);
CREATE TABLE exchange_members (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, public_key TEXT NOT NULL, created_at BIGINT NOT NULL);
CREATE TABLE exchange_subsystems (
  id TEXT PRIMARY KEY, member TEXT NOT NULL, created_at BIGINT NOT NULL);
CREATE TABLE exchange_services (
  id TEXT PRIMARY KEY, subsystem TEXT NOT NULL, handler TEXT NOT NULL, name TEXT NOT NULL,
  created_at BIGINT NOT NULL);
CREATE TABLE exchange_grants (
  client TEXT NOT NULL, service TEXT NOT NULL, purposes TEXT NOT NULL, hide_days INTEGER NOT NULL,
  granted_at BIGINT NOT NULL, revoked_at BIGINT, PRIMARY KEY (client, service));
CREATE TABLE exchange_ids (
  client TEXT NOT NULL, message_id TEXT NOT NULL, at BIGINT NOT NULL, PRIMARY KEY (client, message_id));
CREATE INDEX exchange_ids_by_at ON exchange_ids (at);
CREATE TABLE exchange_head (id INTEGER PRIMARY KEY, seq BIGINT NOT NULL, hash TEXT NOT NULL);
INSERT INTO exchange_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
CREATE TABLE exchange_log (
  seq BIGINT PRIMARY KEY, at BIGINT NOT NULL, client TEXT NOT NULL, service TEXT NOT NULL,
  purpose TEXT NOT NULL, status INTEGER NOT NULL,
  message_id TEXT NOT NULL, user_id TEXT NOT NULL, issue TEXT NOT NULL, outcome TEXT NOT NULL,
  request_hash TEXT NOT NULL, response_hash TEXT NOT NULL, subjects TEXT NOT NULL, hide_until BIGINT NOT NULL,
  detail_hash TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL, signature TEXT NOT NULL);
CREATE TABLE exchange_subjects (
  citizen_id TEXT NOT NULL, seq BIGINT NOT NULL, PRIMARY KEY (citizen_id, seq));
-- a citizen's objection to an exchange that carried their data: a case for the data-protection
-- officer, due within a number of working days
CREATE TABLE exchange_objections (
  id TEXT PRIMARY KEY, seq BIGINT NOT NULL, citizen_id TEXT NOT NULL, reason TEXT NOT NULL,
  status TEXT NOT NULL, created_at BIGINT NOT NULL, due_at BIGINT NOT NULL, UNIQUE (citizen_id, seq));
CREATE INDEX exchange_objections_by_due ON exchange_objections (status, due_at);
-- other nodes this one calls (federation): where they answer and the key they sign with
CREATE TABLE exchange_peers (
  node_id TEXT PRIMARY KEY, url TEXT NOT NULL, public_key TEXT NOT NULL, created_at BIGINT NOT NULL);

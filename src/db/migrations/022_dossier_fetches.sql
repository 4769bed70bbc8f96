-- 022_dossier_fetches.sql — what an officer fetched for a dossier from another node through the
-- exchange (docs/exchange.md, "Federation"): the answer (sealed), the node that provided it, the
-- service and the message that carried it, kept with the dossier.
CREATE TABLE dossier_fetches (
  code TEXT NOT NULL, seq INTEGER NOT NULL, at BIGINT NOT NULL, actor TEXT NOT NULL, node TEXT NOT NULL,
  service TEXT NOT NULL, message_id TEXT NOT NULL, request_hash TEXT NOT NULL, data TEXT NOT NULL,
  PRIMARY KEY (code, seq));

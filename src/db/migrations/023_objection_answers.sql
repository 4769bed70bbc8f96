-- 023_objection_answers.sql — the data-protection officer's answer to a citizen's objection to an
-- exchange (docs/exchange.md, "Objections"): the answer (sealed), whether the objection was upheld,
-- when and by whom. An answered case is closed: status 'upheld' or 'dismissed'.
ALTER TABLE exchange_objections ADD COLUMN answer TEXT;
ALTER TABLE exchange_objections ADD COLUMN upheld INTEGER;
ALTER TABLE exchange_objections ADD COLUMN answered_at BIGINT;
ALTER TABLE exchange_objections ADD COLUMN answered_by TEXT;

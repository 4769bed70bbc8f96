-- 015_registers.sql — the registers the targets scorecard reads: work dossiers (hồ sơ công việc,
-- the units' own work: opened, closed, processed online or on paper) and inspections (thanh tra,
-- kiểm tra: done digitally or not). Each row names its unit as of its own date's map; `ref` is the
-- unit's own number for it, unique within the unit (an import run twice adds nothing twice).
CREATE TABLE work_items (
  id TEXT PRIMARY KEY, unit TEXT NOT NULL, level TEXT NOT NULL, ref TEXT NOT NULL, title TEXT NOT NULL,
  opened_on TEXT NOT NULL, closed_on TEXT, online INTEGER NOT NULL,
  created_by TEXT NOT NULL, created_at BIGINT NOT NULL, UNIQUE (unit, ref));
CREATE INDEX work_items_by_closed ON work_items (closed_on);
CREATE INDEX work_items_by_unit ON work_items (unit, opened_on);
CREATE TABLE inspections (
  id TEXT PRIMARY KEY, unit TEXT NOT NULL, level TEXT NOT NULL, ref TEXT NOT NULL, subject TEXT NOT NULL,
  held_on TEXT NOT NULL, digital INTEGER NOT NULL,
  created_by TEXT NOT NULL, created_at BIGINT NOT NULL, UNIQUE (unit, ref));
CREATE INDEX inspections_by_held ON inspections (held_on);
CREATE INDEX inspections_by_unit ON inspections (unit, held_on);

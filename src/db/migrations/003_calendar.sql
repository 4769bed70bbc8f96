-- 003_calendar.sql — official per-year holiday decisions (data/holidays/YYYY.json), kept as
-- loaded by trondoi init; years without one use the Labour Code's default rules.
CREATE TABLE holiday_years (year INTEGER PRIMARY KEY, doc TEXT NOT NULL, loaded_at BIGINT NOT NULL);

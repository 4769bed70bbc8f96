-- 024_feedback_business.sql — feedback sent for a business: the business the citizen sends for
-- (its tax code and name, sealed like the rest of what a sender writes), NULL for a citizen's own.
-- Numbered 024, not 022: another branch (wt-x6) holds 022 and 023.
ALTER TABLE feedback ADD COLUMN business TEXT;

-- 021_security.sql — alerts of the threat-detection rules (data/security-rules.json): one row an
-- alert, its key (rule, subject, window) unique so a pattern is flagged once per window.
CREATE TABLE security_alerts (
  id TEXT PRIMARY KEY, alert_key TEXT NOT NULL UNIQUE, rule TEXT NOT NULL, severity TEXT NOT NULL,
  subject TEXT NOT NULL, at BIGINT NOT NULL, detail TEXT NOT NULL);
CREATE INDEX security_alerts_by_time ON security_alerts (at);

-- The audit log is listed newest first by the time each entry shows (at),
-- the id breaking ties: entries written with an earlier time after later
-- ones (imports, the demo's history) sort where their time puts them.
DROP INDEX audit_log_at;
--bun:split
CREATE INDEX audit_log_at_id ON audit_log (at, id);
--bun:split
DROP INDEX audit_log_action_id;
--bun:split
CREATE INDEX audit_log_action_at ON audit_log (action{{if .Postgres}} COLLATE "C"{{end}}, at, id);
--bun:split
DROP INDEX audit_log_subject_id;
--bun:split
CREATE INDEX audit_log_subject_at ON audit_log (subject, at, id);

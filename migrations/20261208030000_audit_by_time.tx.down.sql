DROP INDEX audit_log_subject_at;
--bun:split
CREATE INDEX audit_log_subject_id ON audit_log (subject, id);
--bun:split
DROP INDEX audit_log_action_at;
--bun:split
CREATE INDEX audit_log_action_id ON audit_log (action{{if .Postgres}} COLLATE "C"{{end}}, id);
--bun:split
DROP INDEX audit_log_at_id;
--bun:split
CREATE INDEX audit_log_at ON audit_log (at);

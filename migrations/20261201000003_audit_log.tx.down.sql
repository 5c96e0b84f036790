{{if .Postgres}}
DROP TRIGGER audit_log_append_only ON audit_log;
--bun:split
DROP FUNCTION audit_log_append_only();
{{else}}
DROP TRIGGER audit_log_no_update;
--bun:split
DROP TRIGGER audit_log_no_delete;
{{end}}
--bun:split
DROP INDEX audit_log_subject_id;
--bun:split
DROP INDEX audit_log_action_id;
--bun:split
CREATE INDEX audit_log_action ON audit_log (action, at);

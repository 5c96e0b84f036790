-- The audit log's filters: newest first within an action (in byte order,
-- so that a group of actions is a range of the same index) and within a
-- subject; (action, at) served no query ordered by id. And a guard: the log
-- is append-only, so the database refuses to change or remove an entry.
DROP INDEX audit_log_action;
--bun:split
CREATE INDEX audit_log_action_id ON audit_log (action{{if .Postgres}} COLLATE "C"{{end}}, id);
--bun:split
CREATE INDEX audit_log_subject_id ON audit_log (subject, id);
--bun:split
{{if .Postgres}}
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP;
END
$$;
--bun:split
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
{{else}}
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE refused');
END;
--bun:split
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only: DELETE refused');
END;
{{end}}

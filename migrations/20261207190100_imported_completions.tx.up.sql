-- Historical completions imported from a previous LMS: course completions
-- marked as imported, with the system they came from and the score it
-- recorded; one row per import applied (audited), and the uploads waiting
-- between preview and apply.
CREATE TABLE completion_imports (
    id {{.PK}},
    filename VARCHAR(300) NOT NULL DEFAULT '',
    rows_read INTEGER NOT NULL DEFAULT 0,
    created INTEGER NOT NULL DEFAULT 0,
    duplicates INTEGER NOT NULL DEFAULT 0,
    certificates BOOLEAN NOT NULL DEFAULT FALSE,
    created_by_id BIGINT REFERENCES employees (id),
    created_at TIMESTAMPTZ NOT NULL
);
--bun:split
ALTER TABLE course_completions ADD COLUMN imported BOOLEAN NOT NULL DEFAULT FALSE;
--bun:split
ALTER TABLE course_completions ADD COLUMN source VARCHAR(200) NOT NULL DEFAULT '';
--bun:split
ALTER TABLE course_completions ADD COLUMN score DOUBLE PRECISION;
--bun:split
ALTER TABLE course_completions ADD COLUMN import_id BIGINT REFERENCES completion_imports (id);
--bun:split
-- What an imported row was: "programme:SLUG" or "course:SLUG"; with the
-- employee, course and time it makes re-importing the same file add nothing.
ALTER TABLE course_completions ADD COLUMN import_key VARCHAR(100);
--bun:split
CREATE UNIQUE INDEX course_completions_imported ON course_completions (employee_id, course_slug, completed_at, import_key) WHERE import_key IS NOT NULL;
--bun:split
CREATE TABLE completion_import_batches (
    id VARCHAR(64) PRIMARY KEY,
    created_by_id BIGINT NOT NULL REFERENCES employees (id),
    created_at TIMESTAMPTZ NOT NULL,
    filename VARCHAR(300) NOT NULL DEFAULT '',
    content TEXT NOT NULL,
    certificates BOOLEAN NOT NULL DEFAULT FALSE
);

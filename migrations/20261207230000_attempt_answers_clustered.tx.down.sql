{{if .Postgres}}SELECT 1;
{{else}}CREATE TABLE attempt_answers_rowid (
    attempt_id BIGINT NOT NULL REFERENCES attempts (id) ON DELETE CASCADE,
    question_row_id BIGINT NOT NULL REFERENCES questions (id),
    response TEXT NOT NULL,
    saved_at TIMESTAMPTZ NOT NULL,
    grade DOUBLE PRECISION,
    graded_by_id BIGINT REFERENCES employees (id),
    graded_at TIMESTAMPTZ,
    grade_comment TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (attempt_id, question_row_id)
);
--bun:split
INSERT INTO attempt_answers_rowid (attempt_id, question_row_id, response, saved_at, grade, graded_by_id, graded_at, grade_comment)
SELECT attempt_id, question_row_id, response, saved_at, grade, graded_by_id, graded_at, grade_comment FROM attempt_answers;
--bun:split
DROP TABLE attempt_answers;
--bun:split
ALTER TABLE attempt_answers_rowid RENAME TO attempt_answers;
{{end}}

-- Reaction surveys (Kirkpatrick level 1): after completing a course a
-- learner answers three questions, or dismisses the offer. One row per
-- person per course version; answering again updates the row.
CREATE TABLE course_reactions (
    id {{.PK}},
    employee_id BIGINT NOT NULL REFERENCES employees (id),
    course_id BIGINT NOT NULL REFERENCES courses (id),
    version_id BIGINT NOT NULL REFERENCES course_versions (id),
    relevance INTEGER,
    confidence INTEGER,
    recommend INTEGER,
    comment TEXT NOT NULL DEFAULT '',
    answered_at TIMESTAMPTZ,
    dismissed_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (employee_id, version_id)
);
--bun:split
CREATE INDEX course_reactions_course ON course_reactions (course_id, version_id, answered_at);

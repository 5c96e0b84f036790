-- Courses: each edit-and-publish makes a new version; learners keep the
-- version they started (enrolments.version_id) until they finish it.
CREATE TABLE courses (
    id {{.PK}},
    slug VARCHAR(80) NOT NULL UNIQUE,
    builtin BOOLEAN NOT NULL DEFAULT FALSE,
    copied_from VARCHAR(80) NOT NULL DEFAULT '',
    published_version_id BIGINT,
    draft_version_id BIGINT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
--bun:split
CREATE TABLE course_versions (
    id {{.PK}},
    course_id BIGINT NOT NULL REFERENCES courses (id),
    version INTEGER NOT NULL,
    status VARCHAR(20) NOT NULL,
    title VARCHAR(200) NOT NULL,
    summary TEXT NOT NULL DEFAULT '',
    estimated_minutes INTEGER NOT NULL DEFAULT 0,
    tags TEXT NOT NULL DEFAULT '',
    prerequisites TEXT NOT NULL DEFAULT '',
    assessments TEXT NOT NULL DEFAULT '',
    source_hash VARCHAR(64) NOT NULL DEFAULT '',
    created_by_id BIGINT REFERENCES employees (id),
    created_at TIMESTAMPTZ NOT NULL,
    published_at TIMESTAMPTZ,
    UNIQUE (course_id, version)
);
--bun:split
CREATE TABLE course_modules (
    id {{.PK}},
    version_id BIGINT NOT NULL REFERENCES course_versions (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    title VARCHAR(200) NOT NULL
);
--bun:split
CREATE INDEX course_modules_version ON course_modules (version_id, position);
--bun:split
CREATE TABLE lessons (
    id {{.PK}},
    version_id BIGINT NOT NULL REFERENCES course_versions (id) ON DELETE CASCADE,
    module_id BIGINT NOT NULL REFERENCES course_modules (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    slug VARCHAR(80) NOT NULL,
    title VARCHAR(200) NOT NULL,
    minutes INTEGER NOT NULL,
    body_md TEXT NOT NULL,
    body_html TEXT NOT NULL,
    UNIQUE (version_id, slug)
);
--bun:split
CREATE INDEX lessons_version ON lessons (version_id, position);
--bun:split
CREATE TABLE enrolments (
    id {{.PK}},
    employee_id BIGINT NOT NULL REFERENCES employees (id),
    course_id BIGINT NOT NULL REFERENCES courses (id),
    version_id BIGINT NOT NULL REFERENCES course_versions (id),
    started_at TIMESTAMPTZ NOT NULL,
    last_lesson_id BIGINT REFERENCES lessons (id),
    completed_at TIMESTAMPTZ,
    UNIQUE (employee_id, course_id, version_id)
);
--bun:split
CREATE INDEX enrolments_course ON enrolments (course_id, completed_at);
--bun:split
CREATE TABLE lesson_progress (
    employee_id BIGINT NOT NULL REFERENCES employees (id),
    lesson_id BIGINT NOT NULL REFERENCES lessons (id) ON DELETE CASCADE,
    completed_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (employee_id, lesson_id)
);
--bun:split
{{if .Postgres}}
ALTER TABLE lessons ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', body_md), 'B')
) STORED;
--bun:split
CREATE INDEX lessons_search ON lessons USING GIN (search);
{{else}}
CREATE VIRTUAL TABLE lesson_fts USING fts5(title, body_md, content='lessons', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2');
--bun:split
CREATE TRIGGER lessons_fts_insert AFTER INSERT ON lessons BEGIN
    INSERT INTO lesson_fts (rowid, title, body_md) VALUES (new.id, new.title, new.body_md);
END;
--bun:split
CREATE TRIGGER lessons_fts_delete AFTER DELETE ON lessons BEGIN
    INSERT INTO lesson_fts (lesson_fts, rowid, title, body_md) VALUES ('delete', old.id, old.title, old.body_md);
END;
--bun:split
CREATE TRIGGER lessons_fts_update AFTER UPDATE ON lessons BEGIN
    INSERT INTO lesson_fts (lesson_fts, rowid, title, body_md) VALUES ('delete', old.id, old.title, old.body_md);
    INSERT INTO lesson_fts (rowid, title, body_md) VALUES (new.id, new.title, new.body_md);
END;
{{end}}

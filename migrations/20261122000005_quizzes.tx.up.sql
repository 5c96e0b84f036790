-- Quizzes: a question bank per course whose questions are versioned (an edit
-- inserts a new version and moves is_current; attempts keep the versions they
-- drew), quizzes drawing from a bank, attempts with the draw and order fixed
-- at the start, and the answers saved during an attempt (with essay grades).
CREATE TABLE questions (
    id {{.PK}},
    course_slug VARCHAR(80) NOT NULL,
    qid VARCHAR(80) NOT NULL,
    version INTEGER NOT NULL,
    is_current BOOLEAN NOT NULL,
    position INTEGER NOT NULL,
    type VARCHAR(30) NOT NULL,
    tags TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    created_by_id BIGINT REFERENCES employees (id),
    UNIQUE (course_slug, qid, version)
);
--bun:split
CREATE UNIQUE INDEX questions_current ON questions (course_slug, qid) WHERE is_current;
--bun:split
CREATE INDEX questions_bank ON questions (course_slug, is_current, position);
--bun:split
CREATE TABLE quizzes (
    id {{.PK}},
    course_slug VARCHAR(80) NOT NULL,
    slug VARCHAR(80) NOT NULL UNIQUE,
    title VARCHAR(200) NOT NULL,
    draw_count INTEGER NOT NULL,
    draw_per_tag TEXT NOT NULL DEFAULT '',
    shuffle_questions BOOLEAN NOT NULL DEFAULT FALSE,
    shuffle_options BOOLEAN NOT NULL DEFAULT FALSE,
    pass_mark DOUBLE PRECISION NOT NULL,
    attempt_limit INTEGER NOT NULL DEFAULT 0,
    min_wait_minutes INTEGER NOT NULL DEFAULT 0,
    time_limit_minutes INTEGER NOT NULL DEFAULT 0,
    review_policy VARCHAR(20) NOT NULL,
    feedback_bands TEXT NOT NULL DEFAULT '',
    required BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
--bun:split
CREATE INDEX quizzes_course ON quizzes (course_slug);
--bun:split
CREATE TABLE attempts (
    id {{.PK}},
    quiz_id BIGINT NOT NULL REFERENCES quizzes (id),
    employee_id BIGINT NOT NULL REFERENCES employees (id),
    number INTEGER NOT NULL,
    pass_mark DOUBLE PRECISION NOT NULL,
    started_at TIMESTAMPTZ NOT NULL,
    deadline TIMESTAMPTZ,
    submitted_at TIMESTAMPTZ,
    late BOOLEAN NOT NULL DEFAULT FALSE,
    score DOUBLE PRECISION,
    max_score DOUBLE PRECISION,
    percent DOUBLE PRECISION,
    passed BOOLEAN,
    pending_grading INTEGER NOT NULL DEFAULT 0,
    draw TEXT NOT NULL,
    UNIQUE (quiz_id, employee_id, number)
);
--bun:split
CREATE INDEX attempts_employee ON attempts (employee_id, started_at);
--bun:split
CREATE TABLE attempt_answers (
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

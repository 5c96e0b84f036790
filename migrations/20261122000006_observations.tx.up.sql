-- Role-play checklists, observations and self-assessments. A checklist's body
-- is its JSON (brief and items); editing it bumps version. An observation keeps
-- the checklist it was made against (checklist_version and a JSON snapshot).
-- Amending a signed-off observation inserts the next revision (amended_from_id,
-- amend_reason) and marks the previous row 'amended'; nothing is overwritten.
CREATE TABLE checklists (
    id {{.PK}},
    slug VARCHAR(80) NOT NULL UNIQUE,
    course_slug VARCHAR(80) NOT NULL DEFAULT '',
    version INTEGER NOT NULL,
    title VARCHAR(200) NOT NULL,
    body TEXT NOT NULL,
    pass_percent DOUBLE PRECISION NOT NULL,
    reobserve_days INTEGER NOT NULL DEFAULT 0,
    builtin BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
--bun:split
CREATE INDEX checklists_course ON checklists (course_slug);
--bun:split
CREATE TABLE observations (
    id {{.PK}},
    checklist_id BIGINT NOT NULL REFERENCES checklists (id),
    checklist_version INTEGER NOT NULL,
    checklist_snapshot TEXT NOT NULL,
    employee_id BIGINT NOT NULL REFERENCES employees (id),
    assessor_id BIGINT NOT NULL REFERENCES employees (id),
    status VARCHAR(20) NOT NULL,
    revision INTEGER NOT NULL DEFAULT 1,
    ratings TEXT NOT NULL DEFAULT '{}',
    item_comments TEXT NOT NULL DEFAULT '{}',
    overall_comment TEXT NOT NULL DEFAULT '',
    score DOUBLE PRECISION,
    passed BOOLEAN,
    failed_critical TEXT NOT NULL DEFAULT '[]',
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    signed_off_at TIMESTAMPTZ,
    amended_from_id BIGINT REFERENCES observations (id),
    amend_reason TEXT NOT NULL DEFAULT '',
    employee_ack_at TIMESTAMPTZ,
    employee_comment TEXT NOT NULL DEFAULT '',
    reobserve_due VARCHAR(10)
);
--bun:split
CREATE INDEX observations_employee ON observations (employee_id, status, checklist_id);
--bun:split
CREATE INDEX observations_assessor ON observations (assessor_id, status);
--bun:split
CREATE INDEX observations_due ON observations (status, reobserve_due);
--bun:split
-- One open draft per assessor, employee and checklist: a second start resumes it.
CREATE UNIQUE INDEX observations_one_draft ON observations (checklist_id, employee_id, assessor_id) WHERE status = 'draft';
--bun:split
CREATE TABLE self_assessments (
    id {{.PK}},
    checklist_id BIGINT NOT NULL REFERENCES checklists (id),
    checklist_version INTEGER NOT NULL,
    employee_id BIGINT NOT NULL REFERENCES employees (id),
    ratings TEXT NOT NULL DEFAULT '{}',
    comments TEXT NOT NULL DEFAULT '{}',
    status VARCHAR(20) NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    submitted_at TIMESTAMPTZ
);
--bun:split
CREATE INDEX self_assessments_employee ON self_assessments (employee_id, checklist_id, status);
--bun:split
CREATE UNIQUE INDEX self_assessments_one_draft ON self_assessments (checklist_id, employee_id) WHERE status = 'draft';

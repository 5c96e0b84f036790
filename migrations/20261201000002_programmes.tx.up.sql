-- Programmes: versioned ordered sets of courses with a due rule and a
-- validity; assignments of a programme to an employee (by hand or by an
-- audience rule), each with its recertification cycles; extensions; the
-- append-only history of course completions; and job leases, so that only
-- one instance runs the scheduler at a time.
CREATE TABLE programmes (
    id {{.PK}},
    slug VARCHAR(80) NOT NULL UNIQUE,
    title VARCHAR(200) NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    version_id BIGINT,
    due_kind VARCHAR(20) NOT NULL,
    due_date VARCHAR(10) NOT NULL DEFAULT '',
    due_days INTEGER NOT NULL DEFAULT 0,
    validity_months INTEGER NOT NULL DEFAULT 0,
    recert_days INTEGER NOT NULL DEFAULT 0,
    certificate_per_course BOOLEAN NOT NULL DEFAULT FALSE,
    show_score BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    archived_at TIMESTAMPTZ
);
--bun:split
CREATE TABLE programme_versions (
    id {{.PK}},
    programme_id BIGINT NOT NULL REFERENCES programmes (id),
    version INTEGER NOT NULL,
    change_policy VARCHAR(20) NOT NULL DEFAULT '',
    created_by_id BIGINT REFERENCES employees (id),
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (programme_id, version)
);
--bun:split
CREATE TABLE programme_courses (
    version_id BIGINT NOT NULL REFERENCES programme_versions (id),
    course_slug VARCHAR(80) NOT NULL,
    position INTEGER NOT NULL,
    required BOOLEAN NOT NULL,
    PRIMARY KEY (version_id, course_slug)
);
--bun:split
CREATE INDEX programme_courses_course ON programme_courses (course_slug, version_id);
--bun:split
CREATE TABLE audience_rules (
    id {{.PK}},
    programme_id BIGINT NOT NULL REFERENCES programmes (id),
    department_id BIGINT REFERENCES departments (id),
    location_id BIGINT REFERENCES locations (id),
    job_title_id BIGINT REFERENCES job_titles (id),
    manager_id BIGINT REFERENCES employees (id),
    apply_existing BOOLEAN NOT NULL,
    created_by_id BIGINT REFERENCES employees (id),
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    deleted_at TIMESTAMPTZ
);
--bun:split
CREATE INDEX audience_rules_programme ON audience_rules (programme_id);
--bun:split
CREATE TABLE audience_members (
    rule_id BIGINT NOT NULL REFERENCES audience_rules (id),
    employee_id BIGINT NOT NULL REFERENCES employees (id),
    since TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (rule_id, employee_id)
);
--bun:split
CREATE INDEX audience_members_employee ON audience_members (employee_id);
--bun:split
CREATE TABLE assignments (
    id {{.PK}},
    programme_id BIGINT NOT NULL REFERENCES programmes (id),
    employee_id BIGINT NOT NULL REFERENCES employees (id),
    manual BOOLEAN NOT NULL,
    rule_id BIGINT REFERENCES audience_rules (id),
    assigned_at TIMESTAMPTZ NOT NULL,
    assigned_by_id BIGINT REFERENCES employees (id),
    closed_at TIMESTAMPTZ,
    close_reason VARCHAR(300) NOT NULL DEFAULT ''
);
--bun:split
CREATE UNIQUE INDEX assignments_open ON assignments (programme_id, employee_id) WHERE closed_at IS NULL;
--bun:split
CREATE INDEX assignments_employee ON assignments (employee_id, programme_id);
--bun:split
CREATE TABLE cycles (
    id {{.PK}},
    assignment_id BIGINT NOT NULL REFERENCES assignments (id),
    programme_id BIGINT NOT NULL REFERENCES programmes (id),
    version_id BIGINT NOT NULL REFERENCES programme_versions (id),
    employee_id BIGINT NOT NULL REFERENCES employees (id),
    cycle INTEGER NOT NULL,
    assigned_at TIMESTAMPTZ NOT NULL,
    counts_from TIMESTAMPTZ,
    due_on VARCHAR(10) NOT NULL DEFAULT '',
    original_due_on VARCHAR(10) NOT NULL DEFAULT '',
    started_at TIMESTAMPTZ,
    completed_at TIMESTAMPTZ,
    expires_at TIMESTAMPTZ,
    score DOUBLE PRECISION,
    exempt_reason TEXT NOT NULL DEFAULT '',
    exempt_by_id BIGINT REFERENCES employees (id),
    exempt_at TIMESTAMPTZ,
    closed_at TIMESTAMPTZ,
    close_reason VARCHAR(300) NOT NULL DEFAULT '',
    status VARCHAR(20) NOT NULL,
    status_until TIMESTAMPTZ,
    UNIQUE (assignment_id, cycle)
);
--bun:split
CREATE INDEX cycles_employee ON cycles (employee_id, programme_id, cycle);
--bun:split
CREATE INDEX cycles_programme ON cycles (programme_id, status);
--bun:split
CREATE INDEX cycles_status_until ON cycles (status_until) WHERE status_until IS NOT NULL;
--bun:split
CREATE TABLE extensions (
    id {{.PK}},
    cycle_id BIGINT NOT NULL REFERENCES cycles (id),
    from_due VARCHAR(10) NOT NULL,
    to_due VARCHAR(10) NOT NULL,
    reason TEXT NOT NULL,
    by_id BIGINT REFERENCES employees (id),
    at TIMESTAMPTZ NOT NULL
);
--bun:split
CREATE INDEX extensions_cycle ON extensions (cycle_id);
--bun:split
CREATE TABLE course_completions (
    id {{.PK}},
    employee_id BIGINT NOT NULL REFERENCES employees (id),
    course_id BIGINT NOT NULL REFERENCES courses (id),
    course_slug VARCHAR(80) NOT NULL,
    version_id BIGINT NOT NULL REFERENCES course_versions (id),
    enrolment_id BIGINT REFERENCES enrolments (id),
    completed_at TIMESTAMPTZ NOT NULL
);
--bun:split
CREATE INDEX course_completions_employee ON course_completions (employee_id, course_slug, completed_at);
--bun:split
INSERT INTO course_completions (employee_id, course_id, course_slug, version_id, enrolment_id, completed_at)
SELECT en.employee_id, en.course_id, c.slug, en.version_id, en.id, en.completed_at
FROM enrolments AS en JOIN courses AS c ON c.id = en.course_id WHERE en.completed_at IS NOT NULL;
--bun:split
ALTER TABLE enrolments ADD COLUMN assessments_from TIMESTAMPTZ;
--bun:split
CREATE TABLE job_leases (
    name VARCHAR(80) PRIMARY KEY,
    holder VARCHAR(120) NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);

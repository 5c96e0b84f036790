-- Readiness: each employee's Ready / At risk / Not ready with its reasons,
-- kept current by the events that change it (in their transactions) and by
-- the scheduler for the clock (until). Weekly snapshots keep the past, for
-- trends and "as of" reports.
CREATE TABLE readiness (
    employee_id BIGINT PRIMARY KEY REFERENCES employees (id),
    status VARCHAR(20) NOT NULL,
    reasons TEXT NOT NULL DEFAULT '[]',
    until TIMESTAMPTZ,
    updated_at TIMESTAMPTZ NOT NULL
);
--bun:split
CREATE INDEX readiness_until ON readiness (until) WHERE until IS NOT NULL;
--bun:split
CREATE INDEX readiness_status ON readiness (status, employee_id);
--bun:split
CREATE TABLE readiness_snapshots (
    week VARCHAR(10) NOT NULL,
    employee_id BIGINT NOT NULL REFERENCES employees (id),
    status VARCHAR(20) NOT NULL,
    reasons TEXT NOT NULL DEFAULT '[]',
    department_id BIGINT,
    location_id BIGINT,
    job_title_id BIGINT,
    manager_id BIGINT,
    line_path {{.PathType}} NOT NULL DEFAULT '',
    PRIMARY KEY (week, employee_id)
);
--bun:split
CREATE INDEX readiness_snapshots_line ON readiness_snapshots (week, line_path);

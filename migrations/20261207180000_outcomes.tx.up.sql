-- Service outcomes: the measures a company tracks (customer satisfaction,
-- complaints, first-contact resolution, ...) and one row per event per
-- employee, imported from the helpdesk or CRM. A day is the event's civil
-- date in the company's time zone, as days since 1970-01-01.
CREATE TABLE measures (
    id {{.PK}},
    slug VARCHAR(60) NOT NULL UNIQUE,
    title VARCHAR(200) NOT NULL,
    unit VARCHAR(40) NOT NULL DEFAULT '',
    kind VARCHAR(10) NOT NULL,
    scale VARCHAR(10) NOT NULL DEFAULT '',
    report VARCHAR(20) NOT NULL DEFAULT '',
    higher_is_better BOOLEAN NOT NULL,
    min_value DOUBLE PRECISION,
    max_value DOUBLE PRECISION,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    archived_at TIMESTAMPTZ
);
--bun:split
CREATE TABLE outcome_imports (
    id {{.PK}},
    measure_id BIGINT NOT NULL REFERENCES measures (id),
    filename VARCHAR(300) NOT NULL DEFAULT '',
    created INTEGER NOT NULL DEFAULT 0,
    duplicates INTEGER NOT NULL DEFAULT 0,
    created_by_id BIGINT,
    created_at TIMESTAMPTZ NOT NULL
);
--bun:split
CREATE TABLE outcome_events (
    id {{.PK}},
    measure_id BIGINT NOT NULL REFERENCES measures (id),
    employee_id BIGINT NOT NULL REFERENCES employees (id),
    day INTEGER NOT NULL,
    value DOUBLE PRECISION NOT NULL,
    category VARCHAR(100) NOT NULL DEFAULT '',
    source_id VARCHAR(200),
    batch_id BIGINT REFERENCES outcome_imports (id),
    created_at TIMESTAMPTZ NOT NULL
);
--bun:split
CREATE UNIQUE INDEX outcome_events_source ON outcome_events (measure_id, source_id) WHERE source_id IS NOT NULL;
--bun:split
CREATE INDEX outcome_events_employee ON outcome_events (measure_id, employee_id, day);
--bun:split
CREATE INDEX outcome_events_day ON outcome_events (measure_id, day);

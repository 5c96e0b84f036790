-- Company: service promises with versioned text, each employee's
-- acknowledgement of a version (with the text they confirmed), and the logo.
-- Mission, vision and values live in settings (company.mission, ...).
CREATE TABLE service_promises (
    id {{.PK}},
    position INTEGER NOT NULL,
    text TEXT NOT NULL,
    version INTEGER NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    updated_at TIMESTAMPTZ NOT NULL
);
--bun:split
CREATE INDEX service_promises_active ON service_promises (active, position);
--bun:split
CREATE TABLE promise_acknowledgements (
    id {{.PK}},
    employee_id BIGINT NOT NULL REFERENCES employees (id),
    promise_id BIGINT NOT NULL REFERENCES service_promises (id),
    promise_version INTEGER NOT NULL,
    text TEXT NOT NULL,
    acknowledged_at TIMESTAMPTZ NOT NULL,
    UNIQUE (employee_id, promise_id, promise_version)
);
--bun:split
CREATE INDEX promise_acknowledgements_promise ON promise_acknowledgements (promise_id, promise_version);
--bun:split
CREATE TABLE company_logo (
    id INTEGER PRIMARY KEY,
    content_type VARCHAR(40) NOT NULL,
    data {{.Blob}} NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

-- The service-recovery loop: rules that, when a person collects at least
-- threshold events of a measure (optionally of one category) within days
-- days, assign a refresher programme and/or ask their manager to observe
-- them with a checklist; one action row per rule, person and run of events
-- (the cool-down keeps a run from acting twice); and the observation
-- requests managers see on their coach queue. A measure may carry the
-- coach queue's threshold ("satisfaction fell below X").
CREATE TABLE recovery_rules (
    id {{.PK}},
    measure_id BIGINT NOT NULL REFERENCES measures (id),
    category VARCHAR(100) NOT NULL DEFAULT '',
    threshold INTEGER NOT NULL,
    days INTEGER NOT NULL,
    programme_id BIGINT REFERENCES programmes (id) ON DELETE SET NULL,
    checklist_id BIGINT REFERENCES checklists (id),
    cooldown_days INTEGER NOT NULL DEFAULT 0,
    created_by_id BIGINT REFERENCES employees (id),
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    archived_at TIMESTAMPTZ
);
--bun:split
CREATE INDEX recovery_rules_measure ON recovery_rules (measure_id);
--bun:split
CREATE TABLE recovery_actions (
    id {{.PK}},
    rule_id BIGINT NOT NULL REFERENCES recovery_rules (id),
    employee_id BIGINT NOT NULL REFERENCES employees (id),
    first_day INTEGER NOT NULL,
    last_day INTEGER NOT NULL,
    events INTEGER NOT NULL,
    assigned_programme_id BIGINT REFERENCES programmes (id),
    observation_requested BOOLEAN NOT NULL DEFAULT FALSE,
    detail VARCHAR(300) NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL
);
--bun:split
CREATE INDEX recovery_actions_rule ON recovery_actions (rule_id, employee_id, last_day);
--bun:split
CREATE INDEX recovery_actions_created ON recovery_actions (created_at);
--bun:split
CREATE TABLE observation_requests (
    id {{.PK}},
    employee_id BIGINT NOT NULL REFERENCES employees (id),
    checklist_id BIGINT NOT NULL REFERENCES checklists (id),
    manager_id BIGINT REFERENCES employees (id),
    reason VARCHAR(300) NOT NULL DEFAULT '',
    status VARCHAR(10) NOT NULL,
    observation_id BIGINT REFERENCES observations (id),
    created_at TIMESTAMPTZ NOT NULL,
    done_at TIMESTAMPTZ
);
--bun:split
CREATE INDEX observation_requests_manager ON observation_requests (manager_id, status);
--bun:split
CREATE INDEX observation_requests_employee ON observation_requests (employee_id, checklist_id, status);
--bun:split
ALTER TABLE measures ADD COLUMN coach_below DOUBLE PRECISION;

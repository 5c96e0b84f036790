-- Each person's events of a measure as one packed series (outcomes/series.go
-- describes the encoding): the impact report reads one small value per
-- person instead of every event row. outcomes.RefreshSeries rewrites the
-- series of the (measure, employee) pairs a write touches, in the writing
-- transaction. outcome_series_ready lists the measures whose series are all
-- there; a measure not listed (events written before this migration) is
-- built whole from its events the first time it is read or written
-- (outcomes.EnsureSeries). A measure without events needs nothing built.
CREATE TABLE outcome_series (
    measure_id BIGINT NOT NULL REFERENCES measures (id),
    employee_id BIGINT NOT NULL REFERENCES employees (id),
    points {{.Blob}} NOT NULL,
    PRIMARY KEY (measure_id, employee_id)
);
--bun:split
CREATE TABLE outcome_series_ready (
    measure_id BIGINT NOT NULL PRIMARY KEY REFERENCES measures (id)
);
--bun:split
INSERT INTO outcome_series_ready (measure_id)
SELECT id FROM measures WHERE NOT EXISTS (SELECT 1 FROM outcome_events WHERE outcome_events.measure_id = measures.id);

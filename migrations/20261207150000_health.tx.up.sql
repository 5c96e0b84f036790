-- /healthz proves the database takes writes by writing this one row.
CREATE TABLE health (
    id INTEGER PRIMARY KEY,
    checked_at TIMESTAMPTZ NOT NULL
);

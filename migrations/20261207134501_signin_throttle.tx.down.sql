CREATE TABLE signin_failures (
    id {{.PK}},
    key VARCHAR(400) NOT NULL,
    at TIMESTAMPTZ NOT NULL
);
--bun:split
CREATE INDEX signin_failures_key_at ON signin_failures (key, at);
--bun:split
DROP TABLE signin_throttle;

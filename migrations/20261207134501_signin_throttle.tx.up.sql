-- Sign-in throttling: one counter row per key (a hash of the account and
-- address, the account, or the address). A password check is reserved by
-- one INSERT ... ON CONFLICT DO UPDATE ... RETURNING on the key's row before
-- the password is checked, so concurrent attempts, on any instance, are
-- counted before any of them is checked.
CREATE TABLE signin_throttle (
    key VARCHAR(64) PRIMARY KEY,
    attempts INTEGER NOT NULL,
    window_start TIMESTAMPTZ NOT NULL,
    locked_until TIMESTAMPTZ,
    lockouts INTEGER NOT NULL DEFAULT 0
);
--bun:split
CREATE INDEX signin_throttle_window_start ON signin_throttle (window_start);
--bun:split
DROP TABLE signin_failures;

-- Access: sessions, sign-in throttling, one-time password links, API tokens,
-- the audit log, pending imports and company settings.
CREATE TABLE sessions (
    id VARCHAR(64) PRIMARY KEY,
    employee_id BIGINT NOT NULL REFERENCES employees (id),
    csrf_token VARCHAR(64) NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    ip VARCHAR(64) NOT NULL DEFAULT '',
    user_agent VARCHAR(300) NOT NULL DEFAULT ''
);
--bun:split
CREATE INDEX sessions_employee_id ON sessions (employee_id);
--bun:split
CREATE INDEX sessions_expires_at ON sessions (expires_at);
--bun:split
CREATE TABLE signin_failures (
    id {{.PK}},
    key VARCHAR(400) NOT NULL,
    at TIMESTAMPTZ NOT NULL
);
--bun:split
CREATE INDEX signin_failures_key_at ON signin_failures (key, at);
--bun:split
CREATE TABLE password_links (
    id {{.PK}},
    token_hash VARCHAR(64) NOT NULL UNIQUE,
    employee_id BIGINT NOT NULL REFERENCES employees (id),
    created_by_id BIGINT REFERENCES employees (id),
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at TIMESTAMPTZ
);
--bun:split
CREATE TABLE api_tokens (
    id {{.PK}},
    name VARCHAR(200) NOT NULL,
    role VARCHAR(20) NOT NULL,
    employee_id BIGINT REFERENCES employees (id),
    token_hash VARCHAR(64) NOT NULL UNIQUE,
    prefix VARCHAR(20) NOT NULL,
    created_by_id BIGINT REFERENCES employees (id),
    created_at TIMESTAMPTZ NOT NULL,
    last_used_at TIMESTAMPTZ,
    revoked_at TIMESTAMPTZ
);
--bun:split
CREATE TABLE audit_log (
    id {{.PK}},
    at TIMESTAMPTZ NOT NULL,
    actor_id BIGINT REFERENCES employees (id),
    actor VARCHAR(300) NOT NULL,
    action VARCHAR(100) NOT NULL,
    subject VARCHAR(300) NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT ''
);
--bun:split
CREATE INDEX audit_log_at ON audit_log (at);
--bun:split
CREATE INDEX audit_log_action ON audit_log (action, at);
--bun:split
CREATE TABLE import_batches (
    id VARCHAR(64) PRIMARY KEY,
    created_by_id BIGINT NOT NULL REFERENCES employees (id),
    created_at TIMESTAMPTZ NOT NULL,
    filename VARCHAR(300) NOT NULL DEFAULT '',
    content TEXT NOT NULL,
    deactivate_missing BOOLEAN NOT NULL DEFAULT FALSE
);
--bun:split
CREATE TABLE settings (
    key VARCHAR(100) PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

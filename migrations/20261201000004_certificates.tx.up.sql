-- Certificates: one per completed programme cycle (and, when the programme
-- asks, per completed course). A certificate keeps everything its PDF shows
-- (names, wording, colours, signatory, logo by hash, time zone, verify URL),
-- so the same record always renders to the same bytes, whose SHA-256 is kept.
CREATE TABLE certificate_logos (
    sha256 VARCHAR(64) PRIMARY KEY,
    data {{.Blob}} NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
--bun:split
CREATE TABLE certificates (
    id {{.PK}},
    code VARCHAR(32) NOT NULL UNIQUE,
    employee_id BIGINT NOT NULL REFERENCES employees (id),
    programme_id BIGINT NOT NULL REFERENCES programmes (id),
    programme_version INTEGER NOT NULL,
    cycle_id BIGINT REFERENCES cycles (id),
    course_slug VARCHAR(80) NOT NULL DEFAULT '',
    achievement VARCHAR(300) NOT NULL,
    employee_name VARCHAR(400) NOT NULL,
    score DOUBLE PRECISION,
    issued_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ,
    company_name VARCHAR(300) NOT NULL,
    signatory_name VARCHAR(200) NOT NULL DEFAULT '',
    signatory_title VARCHAR(200) NOT NULL DEFAULT '',
    template TEXT NOT NULL,
    logo_sha256 VARCHAR(64) REFERENCES certificate_logos (sha256),
    time_zone VARCHAR(64) NOT NULL DEFAULT 'UTC',
    verify_url VARCHAR(500) NOT NULL,
    pdf_sha256 VARCHAR(64) NOT NULL DEFAULT '',
    revoked_at TIMESTAMPTZ,
    revoked_reason TEXT NOT NULL DEFAULT '',
    revoked_by_id BIGINT REFERENCES employees (id),
    superseded_at TIMESTAMPTZ,
    superseded_by_id BIGINT REFERENCES certificates (id),
    reissued_from_id BIGINT REFERENCES certificates (id),
    created_at TIMESTAMPTZ NOT NULL
);
--bun:split
CREATE INDEX certificates_employee ON certificates (employee_id, issued_at);
--bun:split
CREATE INDEX certificates_programme ON certificates (programme_id, issued_at);
--bun:split
CREATE INDEX certificates_expires ON certificates (expires_at);

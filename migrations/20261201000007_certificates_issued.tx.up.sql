-- The register lists certificates newest first.
CREATE INDEX certificates_issued ON certificates (issued_at, id);

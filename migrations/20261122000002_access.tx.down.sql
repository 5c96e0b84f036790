DROP TABLE settings;
--bun:split
DROP TABLE import_batches;
--bun:split
DROP TABLE audit_log;
--bun:split
DROP TABLE api_tokens;
--bun:split
DROP TABLE password_links;
--bun:split
DROP TABLE signin_failures;
--bun:split
DROP TABLE sessions;

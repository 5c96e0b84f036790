ALTER TABLE service_promises DROP COLUMN kept_by;
--bun:split
ALTER TABLE service_promises DROP COLUMN exclusions;
--bun:split
ALTER TABLE service_promises DROP COLUMN time_limit;
--bun:split
ALTER TABLE service_promises DROP COLUMN done_when;
--bun:split
ALTER TABLE service_promises DROP COLUMN clock_starts;

-- The facts of a service promise, from which quiz questions are generated:
-- when the clock starts, what counts as done, the time limit, its limits
-- and exclusions, and who keeps it. Each is optional ('' when not given).
ALTER TABLE service_promises ADD COLUMN clock_starts VARCHAR(200) NOT NULL DEFAULT '';
--bun:split
ALTER TABLE service_promises ADD COLUMN done_when VARCHAR(200) NOT NULL DEFAULT '';
--bun:split
ALTER TABLE service_promises ADD COLUMN time_limit VARCHAR(200) NOT NULL DEFAULT '';
--bun:split
ALTER TABLE service_promises ADD COLUMN exclusions VARCHAR(200) NOT NULL DEFAULT '';
--bun:split
ALTER TABLE service_promises ADD COLUMN kept_by VARCHAR(200) NOT NULL DEFAULT '';

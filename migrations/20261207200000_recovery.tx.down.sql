ALTER TABLE measures DROP COLUMN coach_below;
--bun:split
DROP TABLE observation_requests;
--bun:split
DROP TABLE recovery_actions;
--bun:split
DROP TABLE recovery_rules;

DROP TABLE outcome_events;
--bun:split
DROP TABLE outcome_imports;
--bun:split
DROP TABLE measures;

DROP TABLE readiness_snapshots;
--bun:split
DROP TABLE readiness;

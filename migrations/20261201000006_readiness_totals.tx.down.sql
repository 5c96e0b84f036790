DROP INDEX cycles_completed;
--bun:split
DROP TABLE readiness_snapshot_totals;

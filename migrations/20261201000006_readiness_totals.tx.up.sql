-- Readiness dashboard: each weekly snapshot's counts by department,
-- location, job title and status, written with the snapshot (and here from
-- the snapshots taken so far), so trends and past weeks read a few thousand
-- rows instead of every employee of every week; and an index for the
-- programme completions of a range of weeks.
CREATE TABLE readiness_snapshot_totals (
    week VARCHAR(10) NOT NULL,
    department_id BIGINT,
    location_id BIGINT,
    job_title_id BIGINT,
    status VARCHAR(20) NOT NULL,
    n INTEGER NOT NULL
);
--bun:split
CREATE INDEX readiness_snapshot_totals_week ON readiness_snapshot_totals (week, status, department_id, location_id, job_title_id, n);
--bun:split
INSERT INTO readiness_snapshot_totals (week, department_id, location_id, job_title_id, status, n)
SELECT week, department_id, location_id, job_title_id, status, COUNT(*)
FROM readiness_snapshots GROUP BY week, department_id, location_id, job_title_id, status;
--bun:split
CREATE INDEX cycles_completed ON cycles (completed_at) WHERE completed_at IS NOT NULL;

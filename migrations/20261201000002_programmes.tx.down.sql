DROP TABLE job_leases;
--bun:split
ALTER TABLE enrolments DROP COLUMN assessments_from;
--bun:split
DROP TABLE course_completions;
--bun:split
DROP TABLE extensions;
--bun:split
DROP TABLE cycles;
--bun:split
DROP TABLE assignments;
--bun:split
DROP TABLE audience_members;
--bun:split
DROP TABLE audience_rules;
--bun:split
DROP TABLE programme_courses;
--bun:split
DROP TABLE programme_versions;
--bun:split
DROP TABLE programmes;

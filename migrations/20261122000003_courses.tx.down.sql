{{if not .Postgres}}
DROP TABLE lesson_fts;
--bun:split
{{end}}
DROP TABLE lesson_progress;
--bun:split
DROP TABLE enrolments;
--bun:split
DROP TABLE lessons;
--bun:split
DROP TABLE course_modules;
--bun:split
DROP TABLE course_versions;
--bun:split
DROP TABLE courses;

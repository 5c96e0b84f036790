DROP TABLE completion_import_batches;
--bun:split
DROP INDEX course_completions_imported;
--bun:split
ALTER TABLE course_completions DROP COLUMN import_key;
--bun:split
ALTER TABLE course_completions DROP COLUMN import_id;
--bun:split
ALTER TABLE course_completions DROP COLUMN score;
--bun:split
ALTER TABLE course_completions DROP COLUMN source;
--bun:split
ALTER TABLE course_completions DROP COLUMN imported;
--bun:split
DROP TABLE completion_imports;

DROP TABLE self_assessments;
--bun:split
DROP TABLE observations;
--bun:split
DROP TABLE checklists;

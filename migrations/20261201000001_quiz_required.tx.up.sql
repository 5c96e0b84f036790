-- The quiz's own "required" flag is gone: a course version lists the
-- assessments it requires (course.yaml `assessments:`), one truth.
ALTER TABLE quizzes DROP COLUMN required;

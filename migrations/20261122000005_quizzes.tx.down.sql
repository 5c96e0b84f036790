DROP TABLE attempt_answers;
--bun:split
DROP TABLE attempts;
--bun:split
DROP TABLE quizzes;
--bun:split
DROP TABLE questions;

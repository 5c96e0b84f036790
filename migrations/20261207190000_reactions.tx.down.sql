DROP TABLE course_reactions;

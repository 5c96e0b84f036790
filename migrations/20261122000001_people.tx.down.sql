DROP TABLE employees;
--bun:split
DROP TABLE job_titles;
--bun:split
DROP TABLE locations;
--bun:split
DROP TABLE departments;

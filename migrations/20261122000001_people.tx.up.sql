-- People: the organisation lists, employees and their reporting lines.
CREATE TABLE departments (
    id {{.PK}},
    name VARCHAR(200) NOT NULL,
    name_key VARCHAR(200) NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL
);
--bun:split
CREATE TABLE locations (
    id {{.PK}},
    name VARCHAR(200) NOT NULL,
    name_key VARCHAR(200) NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL
);
--bun:split
CREATE TABLE job_titles (
    id {{.PK}},
    name VARCHAR(200) NOT NULL,
    name_key VARCHAR(200) NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL
);
--bun:split
CREATE TABLE employees (
    id {{.PK}},
    number VARCHAR(64) NOT NULL UNIQUE,
    first_name VARCHAR(200) NOT NULL,
    last_name VARCHAR(200) NOT NULL,
    email VARCHAR(320) NOT NULL,
    email_key VARCHAR(320) NOT NULL UNIQUE,
    search_key TEXT NOT NULL DEFAULT '',
    job_title_id BIGINT REFERENCES job_titles (id),
    department_id BIGINT REFERENCES departments (id),
    location_id BIGINT REFERENCES locations (id),
    manager_id BIGINT REFERENCES employees (id),
    line_path {{.PathType}} NOT NULL DEFAULT '',
    hire_date VARCHAR(10),
    active BOOLEAN NOT NULL DEFAULT TRUE,
    roles VARCHAR(100) NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    deactivated_at TIMESTAMPTZ
);
--bun:split
CREATE INDEX employees_manager_id ON employees (manager_id);
--bun:split
CREATE INDEX employees_line_path ON employees (line_path);
--bun:split
CREATE INDEX employees_department_id ON employees (department_id);
--bun:split
CREATE INDEX employees_location_id ON employees (location_id);
--bun:split
CREATE INDEX employees_job_title_id ON employees (job_title_id);
--bun:split
CREATE INDEX employees_name ON employees (last_name, first_name, number);

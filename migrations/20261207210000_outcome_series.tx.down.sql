DROP TABLE outcome_series_ready;
--bun:split
DROP TABLE outcome_series;

DROP TABLE certificates;
--bun:split
DROP TABLE certificate_logos;

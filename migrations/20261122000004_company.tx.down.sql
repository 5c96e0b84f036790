DROP TABLE company_logo;
--bun:split
DROP TABLE promise_acknowledgements;
--bun:split
DROP TABLE service_promises;

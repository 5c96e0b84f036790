DROP INDEX notifications_employee_id;
--bun:split
DROP INDEX notifications_address_id;
--bun:split
DROP INDEX notifications_kind_id;
--bun:split
DROP INDEX notifications_status_id;

-- The outbox page (issue 15) lists notifications newest first (by id) with
-- filters: each filter walks its own index backwards from the newest, so a
-- page stays fast with millions of rows.
CREATE INDEX notifications_status_id ON notifications (status, id);
--bun:split
CREATE INDEX notifications_kind_id ON notifications (kind, id);
--bun:split
CREATE INDEX notifications_address_id ON notifications (address, id);
--bun:split
CREATE INDEX notifications_employee_id ON notifications (employee_id, id);

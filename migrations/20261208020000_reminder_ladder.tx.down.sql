DROP INDEX cycles_open_due;
--bun:split
ALTER TABLE programmes DROP COLUMN expiry_remind_days;
--bun:split
ALTER TABLE programmes DROP COLUMN overdue_hr_days;
--bun:split
ALTER TABLE programmes DROP COLUMN overdue_manager_days;
--bun:split
ALTER TABLE programmes DROP COLUMN overdue_learner_days;
--bun:split
ALTER TABLE programmes DROP COLUMN remind_due_days;

-- The reminder ladder of each programme (issue 15), as lists of whole days
-- ('' : none): due soon (days before the due date), overdue to the learner,
-- to their manager and to HR (days after the first overdue day: 0 is that
-- day), and a certificate expiring (days before the expiry).
ALTER TABLE programmes ADD COLUMN remind_due_days VARCHAR(100) NOT NULL DEFAULT '7,1';
--bun:split
ALTER TABLE programmes ADD COLUMN overdue_learner_days VARCHAR(100) NOT NULL DEFAULT '0,7';
--bun:split
ALTER TABLE programmes ADD COLUMN overdue_manager_days VARCHAR(100) NOT NULL DEFAULT '7';
--bun:split
ALTER TABLE programmes ADD COLUMN overdue_hr_days VARCHAR(100) NOT NULL DEFAULT '14';
--bun:split
ALTER TABLE programmes ADD COLUMN expiry_remind_days VARCHAR(100) NOT NULL DEFAULT '30,7';
--bun:split
-- The ladder reads the open, unfinished cycles due on a few dates.
CREATE INDEX cycles_open_due ON cycles (due_on) WHERE closed_at IS NULL AND completed_at IS NULL;

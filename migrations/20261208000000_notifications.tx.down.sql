DROP TABLE notification_optouts;
--bun:split
DROP TABLE notification_kinds;
--bun:split
DROP TABLE notifications;

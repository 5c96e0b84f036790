-- Notifications (issue 15). The outbox: one row per recipient, event and
-- channel, written in the transaction of the event that causes it, so a
-- rolled-back event sends nothing; idem_key is unique, so a retried event
-- writes nothing twice. channel 'email' rows are delivered by the sender
-- (status queued → sending → sent | failed | cancelled); channel 'inapp'
-- rows are the notification centre (status unread → read).
CREATE TABLE notifications (
    id {{.PK}},
    kind VARCHAR(40) NOT NULL,
    channel VARCHAR(10) NOT NULL,
    idem_key VARCHAR(300) NOT NULL UNIQUE,
    employee_id BIGINT REFERENCES employees (id) ON DELETE CASCADE,
    address VARCHAR(320) NOT NULL DEFAULT '',
    data TEXT NOT NULL,
    status VARCHAR(12) NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ,
    lease_holder VARCHAR(64) NOT NULL DEFAULT '',
    lease_until TIMESTAMPTZ,
    error TEXT NOT NULL DEFAULT '',
    message_id VARCHAR(200) NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL,
    sent_at TIMESTAMPTZ,
    read_at TIMESTAMPTZ
);
--bun:split
-- The sender's queue: due e-mails in order.
CREATE INDEX notifications_queue ON notifications (status, next_attempt_at, id);
--bun:split
-- A person's notification centre and the unread count.
CREATE INDEX notifications_recipient ON notifications (employee_id, channel, status, id);
--bun:split
-- The outbox page, newest first, and its filters.
CREATE INDEX notifications_created ON notifications (created_at, id);
--bun:split
CREATE INDEX notifications_kind ON notifications (kind, created_at, id);
--bun:split
-- What HR changed per kind: the subject and opening sentence (empty: the
-- default), and whether an optional kind is sent at all.
CREATE TABLE notification_kinds (
    kind VARCHAR(40) PRIMARY KEY,
    enabled BOOLEAN NOT NULL DEFAULT TRUE,
    subject VARCHAR(200) NOT NULL DEFAULT '',
    opening VARCHAR(1000) NOT NULL DEFAULT '',
    updated_at TIMESTAMPTZ NOT NULL
);
--bun:split
-- Optional kinds a person turned off (their account page, or the
-- unsubscribe link in the message).
CREATE TABLE notification_optouts (
    employee_id BIGINT NOT NULL REFERENCES employees (id) ON DELETE CASCADE,
    kind VARCHAR(40) NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (employee_id, kind)
);

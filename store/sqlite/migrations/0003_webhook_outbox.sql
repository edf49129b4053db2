-- Webhook outbox: one row per event, written in the transaction of the
-- session change that caused it, with its delivery state. The payload is a
-- BLOB so the body bytes are kept exactly. dead_at and delivered_at are
-- NULL while the event is pending; lease_owner is '' without a lease.

CREATE TABLE webhook_outbox (
    seq              INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    id               TEXT    NOT NULL UNIQUE,
    type             TEXT    NOT NULL,
    partner_id       TEXT    NOT NULL,
    stream           TEXT    NOT NULL,
    session_id       TEXT    NOT NULL,
    revision         INTEGER NOT NULL,
    occurred_at      INTEGER NOT NULL,
    payload          BLOB    NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER NOT NULL,
    lease_owner      TEXT    NOT NULL DEFAULT '',
    lease_until      INTEGER,
    delivered_at     INTEGER,
    dead_at          INTEGER,
    last_attempt_at  INTEGER,
    last_status      INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT    NOT NULL DEFAULT ''
);

-- Pending events by stream, for the claim's head-of-stream check.
CREATE INDEX webhook_outbox_stream_idx ON webhook_outbox (partner_id, stream, seq)
    WHERE delivered_at IS NULL AND dead_at IS NULL;
CREATE INDEX webhook_outbox_due_idx ON webhook_outbox (next_attempt_at, seq)
    WHERE delivered_at IS NULL AND dead_at IS NULL;
CREATE INDEX webhook_outbox_dead_idx ON webhook_outbox (seq)
    WHERE dead_at IS NOT NULL;

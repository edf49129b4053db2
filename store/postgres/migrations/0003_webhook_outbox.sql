-- Webhook outbox: one row per event, written in the transaction of the
-- session change that caused it, with its delivery state. The payload is
-- bytea so the body bytes are kept exactly. dead_at and delivered_at are
-- NULL while the event is pending; lease_owner is '' without a lease.

CREATE TABLE webhook_outbox (
    seq              bigint GENERATED ALWAYS AS IDENTITY,
    id               text COLLATE "C" NOT NULL,
    type             text             NOT NULL,
    partner_id       text COLLATE "C" NOT NULL,
    stream           text COLLATE "C" NOT NULL,
    session_id       text COLLATE "C" NOT NULL,
    revision         bigint           NOT NULL,
    occurred_at      timestamptz      NOT NULL,
    payload          bytea            NOT NULL,
    attempts         integer          NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz      NOT NULL,
    lease_owner      text             NOT NULL DEFAULT '',
    lease_until      timestamptz,
    delivered_at     timestamptz,
    dead_at          timestamptz,
    last_attempt_at  timestamptz,
    last_status      integer          NOT NULL DEFAULT 0,
    last_error       text             NOT NULL DEFAULT '',
    CONSTRAINT webhook_outbox_pkey PRIMARY KEY (seq),
    CONSTRAINT webhook_outbox_id_key UNIQUE (id)
);

-- Pending events by stream, for the claim's head-of-stream check.
CREATE INDEX webhook_outbox_stream_idx ON webhook_outbox (partner_id, stream, seq)
    WHERE delivered_at IS NULL AND dead_at IS NULL;
CREATE INDEX webhook_outbox_due_idx ON webhook_outbox (next_attempt_at, seq)
    WHERE delivered_at IS NULL AND dead_at IS NULL;
CREATE INDEX webhook_outbox_dead_idx ON webhook_outbox (seq)
    WHERE dead_at IS NOT NULL;

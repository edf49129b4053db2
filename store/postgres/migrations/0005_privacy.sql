-- Privacy: indexes for learner deletion (outbox events and launch codes by
-- session) and for the retention purge (ended sessions, unseen learners,
-- delivered events). No column is added: learner data stays minimal.

CREATE INDEX sessions_retention_idx ON sessions (partner_id, ended_at);
CREATE INDEX learners_retention_idx ON learners (partner_id, last_seen_at);
CREATE INDEX webhook_outbox_session_idx ON webhook_outbox (partner_id, session_id);
CREATE INDEX webhook_outbox_delivered_idx ON webhook_outbox (delivered_at)
    WHERE delivered_at IS NOT NULL;
CREATE INDEX launch_codes_session_idx ON launch_codes (session_id);

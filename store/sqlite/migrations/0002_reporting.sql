-- Reporting: a change time per session for GET /sessions (stamped by every
-- insert and update, microseconds since the Unix epoch) and one-time launch
-- codes shared by every process on the database (only a SHA-256 hash of
-- each code is kept).

ALTER TABLE sessions ADD COLUMN changed_at INTEGER NOT NULL DEFAULT 0;

UPDATE sessions SET changed_at = COALESCE(last_activity_at, created_at, 0);

CREATE INDEX sessions_changed_cohort_idx
    ON sessions (partner_id, cohort_id, changed_at, id);
CREATE INDEX sessions_changed_idx ON sessions (partner_id, changed_at, id);

CREATE TABLE launch_codes (
    code_hash   TEXT    NOT NULL PRIMARY KEY,
    session_id  TEXT    NOT NULL,
    partner_id  TEXT    NOT NULL,
    expires_at  INTEGER NOT NULL
);

CREATE INDEX launch_codes_expiry_idx ON launch_codes (expires_at);

-- Reporting: a change time per session for GET /sessions (stamped by every
-- insert and update) and one-time launch codes shared by every process on
-- the database (only a SHA-256 hash of each code is kept).

ALTER TABLE sessions ADD COLUMN changed_at timestamptz;

UPDATE sessions
SET changed_at = COALESCE(last_activity_at, created_at, 'epoch'::timestamptz);

ALTER TABLE sessions ALTER COLUMN changed_at SET NOT NULL;

CREATE INDEX sessions_changed_cohort_idx
    ON sessions (partner_id, cohort_id, changed_at, id);
CREATE INDEX sessions_changed_idx ON sessions (partner_id, changed_at, id);

CREATE TABLE launch_codes (
    code_hash   text COLLATE "C" NOT NULL,
    session_id  text COLLATE "C" NOT NULL,
    partner_id  text COLLATE "C" NOT NULL,
    expires_at  timestamptz      NOT NULL,
    CONSTRAINT launch_codes_pkey PRIMARY KEY (code_hash)
);

CREATE INDEX launch_codes_expiry_idx ON launch_codes (expires_at);

-- Initial schema of the SQLite session store. Times are INTEGER microseconds
-- since the Unix epoch, UTC (NULL for an unset time); structured values are
-- JSON text; booleans are 0 or 1. Ids compare bytewise (BINARY collation).

CREATE TABLE cases (
    id          TEXT    NOT NULL PRIMARY KEY,
    title       TEXT    NOT NULL,
    summary     TEXT    NOT NULL,
    tags        TEXT    NOT NULL,
    status      TEXT    NOT NULL,
    created_at  INTEGER,
    updated_at  INTEGER
);

CREATE TABLE case_versions (
    case_id       TEXT    NOT NULL,
    major         INTEGER NOT NULL,
    minor         INTEGER NOT NULL,
    title         TEXT    NOT NULL,
    rubric        TEXT    NOT NULL,
    published_at  INTEGER,
    PRIMARY KEY (case_id, major, minor)
);

CREATE TABLE case_sets (
    id              TEXT    NOT NULL PRIMARY KEY,
    title           TEXT    NOT NULL,
    cases           TEXT    NOT NULL,
    sequencing      TEXT    NOT NULL,
    completion      TEXT    NOT NULL,
    required_count  INTEGER NOT NULL,
    pass            TEXT    NOT NULL,
    pass_threshold  REAL,
    created_at      INTEGER,
    updated_at      INTEGER
);

CREATE TABLE cohorts (
    partner_id   TEXT    NOT NULL,
    id           TEXT    NOT NULL,
    name         TEXT    NOT NULL,
    roster_size  INTEGER,
    created_at   INTEGER,
    updated_at   INTEGER,
    PRIMARY KEY (partner_id, id)
);

CREATE TABLE assignments (
    partner_id    TEXT    NOT NULL,
    id            TEXT    NOT NULL,
    cohort_id     TEXT    NOT NULL,
    case_id       TEXT    NOT NULL,
    case_set_id   TEXT    NOT NULL,
    cases         TEXT    NOT NULL,
    sequencing    TEXT    NOT NULL,
    opens_at      INTEGER,
    due_at        INTEGER,
    closes_at     INTEGER,
    max_attempts  INTEGER NOT NULL,
    policy        TEXT    NOT NULL,
    mode          TEXT    NOT NULL,
    threshold     REAL,
    relaunch      TEXT    NOT NULL,
    ad_hoc        INTEGER NOT NULL,
    created_at    INTEGER,
    updated_at    INTEGER,
    PRIMARY KEY (partner_id, id)
);

-- One assignment per case and per case set in a cohort.
CREATE UNIQUE INDEX assignments_target_key
    ON assignments (partner_id, cohort_id, case_id, case_set_id);
CREATE INDEX assignments_cohort_idx
    ON assignments (partner_id, cohort_id, created_at, id);

CREATE TABLE learners (
    partner_id    TEXT    NOT NULL,
    id            TEXT    NOT NULL,
    subject       TEXT    NOT NULL,
    name          TEXT    NOT NULL,
    created_at    INTEGER,
    last_seen_at  INTEGER,
    PRIMARY KEY (partner_id, id)
);

CREATE UNIQUE INDEX learners_subject_key ON learners (partner_id, subject);

-- Replay protection: a launch token is consumed once per (issuer, token id).
CREATE TABLE consumed_tokens (
    issuer       TEXT    NOT NULL,
    token_id     TEXT    NOT NULL,
    partner_id   TEXT    NOT NULL,
    expires_at   INTEGER,
    consumed_at  INTEGER,
    PRIMARY KEY (issuer, token_id)
);

CREATE INDEX consumed_tokens_expiry_idx ON consumed_tokens (expires_at);

-- case_major, outcome and score_percent are derived from case_version and
-- score on every write, for analytics aggregates.
CREATE TABLE sessions (
    id                TEXT    NOT NULL PRIMARY KEY,
    partner_id        TEXT    NOT NULL,
    cohort_id         TEXT    NOT NULL,
    assignment_id     TEXT    NOT NULL,
    case_set_id       TEXT    NOT NULL,
    case_id           TEXT    NOT NULL,
    case_version      TEXT    NOT NULL,
    case_major        INTEGER NOT NULL,
    learner_id        TEXT    NOT NULL,
    partner_user_id   TEXT    NOT NULL,
    attempt           INTEGER NOT NULL,
    mode              TEXT    NOT NULL,
    policy            TEXT    NOT NULL,
    threshold         REAL,
    preview           INTEGER NOT NULL,
    status            TEXT    NOT NULL,
    end_reason        TEXT    NOT NULL,
    created_at        INTEGER,
    started_at        INTEGER,
    last_activity_at  INTEGER,
    ended_at          INTEGER,
    active_ns         INTEGER NOT NULL,
    active_since      INTEGER,
    grading_status    TEXT    NOT NULL,
    input             TEXT,
    score             TEXT,
    score_revision    INTEGER NOT NULL,
    outcome           TEXT    NOT NULL,
    score_percent     REAL,
    flagged_errors    TEXT    NOT NULL,
    revision          INTEGER NOT NULL
);

-- A learner's attempt number at a case is never reused.
CREATE UNIQUE INDEX sessions_attempt_key
    ON sessions (partner_id, learner_id, case_id, attempt);
CREATE INDEX sessions_learner_idx
    ON sessions (partner_id, learner_id, created_at, id);
CREATE INDEX sessions_idle_idx ON sessions (status, last_activity_at, id);
CREATE INDEX sessions_cohort_idx ON sessions (partner_id, cohort_id, created_at);
CREATE INDEX sessions_cohort_case_idx
    ON sessions (partner_id, cohort_id, case_id, case_major, created_at);
CREATE INDEX sessions_assignment_idx
    ON sessions (partner_id, assignment_id, created_at);

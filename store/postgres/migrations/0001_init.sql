-- Initial schema of the PostgreSQL session store. Times are timestamptz
-- (microseconds, NULL for an unset time); structured values are jsonb. Ids
-- use the "C" collation so that they order bytewise, like Go strings.

CREATE TABLE cases (
    id          text COLLATE "C" NOT NULL,
    title       text        NOT NULL,
    summary     text        NOT NULL,
    tags        jsonb       NOT NULL,
    status      text        NOT NULL,
    created_at  timestamptz,
    updated_at  timestamptz,
    CONSTRAINT cases_pkey PRIMARY KEY (id)
);

CREATE TABLE case_versions (
    case_id       text COLLATE "C" NOT NULL,
    major         integer     NOT NULL,
    minor         integer     NOT NULL,
    title         text        NOT NULL,
    rubric        jsonb       NOT NULL,
    published_at  timestamptz,
    CONSTRAINT case_versions_pkey PRIMARY KEY (case_id, major, minor)
);

CREATE TABLE case_sets (
    id              text COLLATE "C" NOT NULL,
    title           text             NOT NULL,
    cases           jsonb            NOT NULL,
    sequencing      text             NOT NULL,
    completion      text             NOT NULL,
    required_count  integer          NOT NULL,
    pass            text             NOT NULL,
    pass_threshold  double precision,
    created_at      timestamptz,
    updated_at      timestamptz,
    CONSTRAINT case_sets_pkey PRIMARY KEY (id)
);

CREATE TABLE cohorts (
    partner_id   text COLLATE "C" NOT NULL,
    id           text COLLATE "C" NOT NULL,
    name         text        NOT NULL,
    roster_size  integer,
    created_at   timestamptz,
    updated_at   timestamptz,
    CONSTRAINT cohorts_pkey PRIMARY KEY (partner_id, id)
);

CREATE TABLE assignments (
    partner_id    text COLLATE "C" NOT NULL,
    id            text COLLATE "C" NOT NULL,
    cohort_id     text COLLATE "C" NOT NULL,
    case_id       text COLLATE "C" NOT NULL,
    case_set_id   text COLLATE "C" NOT NULL,
    cases         jsonb            NOT NULL,
    sequencing    text             NOT NULL,
    opens_at      timestamptz,
    due_at        timestamptz,
    closes_at     timestamptz,
    max_attempts  integer          NOT NULL,
    policy        text             NOT NULL,
    mode          text             NOT NULL,
    threshold     double precision,
    relaunch      text             NOT NULL,
    ad_hoc        boolean          NOT NULL,
    created_at    timestamptz,
    updated_at    timestamptz,
    CONSTRAINT assignments_pkey PRIMARY KEY (partner_id, id),
    -- One assignment per case and per case set in a cohort.
    CONSTRAINT assignments_target_key
        UNIQUE (partner_id, cohort_id, case_id, case_set_id)
);

CREATE INDEX assignments_cohort_idx
    ON assignments (partner_id, cohort_id, created_at, id);

CREATE TABLE learners (
    partner_id    text COLLATE "C" NOT NULL,
    id            text COLLATE "C" NOT NULL,
    subject       text COLLATE "C" NOT NULL,
    name          text        NOT NULL,
    created_at    timestamptz,
    last_seen_at  timestamptz,
    CONSTRAINT learners_pkey PRIMARY KEY (partner_id, id),
    CONSTRAINT learners_subject_key UNIQUE (partner_id, subject)
);

-- Replay protection: a launch token is consumed once per (issuer, token id).
CREATE TABLE consumed_tokens (
    issuer       text COLLATE "C" NOT NULL,
    token_id     text COLLATE "C" NOT NULL,
    partner_id   text COLLATE "C" NOT NULL,
    expires_at   timestamptz,
    consumed_at  timestamptz,
    CONSTRAINT consumed_tokens_pkey PRIMARY KEY (issuer, token_id)
);

CREATE INDEX consumed_tokens_expiry_idx ON consumed_tokens (expires_at);

-- case_major, outcome and score_percent are derived from case_version and
-- score on every write, for analytics aggregates.
CREATE TABLE sessions (
    id                text COLLATE "C" NOT NULL,
    partner_id        text COLLATE "C" NOT NULL,
    cohort_id         text COLLATE "C" NOT NULL,
    assignment_id     text COLLATE "C" NOT NULL,
    case_set_id       text COLLATE "C" NOT NULL,
    case_id           text COLLATE "C" NOT NULL,
    case_version      text             NOT NULL,
    case_major        integer          NOT NULL,
    learner_id        text COLLATE "C" NOT NULL,
    partner_user_id   text COLLATE "C" NOT NULL,
    attempt           integer          NOT NULL,
    mode              text             NOT NULL,
    policy            text             NOT NULL,
    threshold         double precision,
    preview           boolean          NOT NULL,
    status            text             NOT NULL,
    end_reason        text             NOT NULL,
    created_at        timestamptz,
    started_at        timestamptz,
    last_activity_at  timestamptz,
    ended_at          timestamptz,
    active_ns         bigint           NOT NULL,
    active_since      timestamptz,
    grading_status    text             NOT NULL,
    input             jsonb,
    score             jsonb,
    score_revision    integer          NOT NULL,
    outcome           text             NOT NULL,
    score_percent     double precision,
    flagged_errors    jsonb            NOT NULL,
    revision          bigint           NOT NULL,
    CONSTRAINT sessions_pkey PRIMARY KEY (id),
    -- A learner's attempt number at a case is never reused.
    CONSTRAINT sessions_attempt_key
        UNIQUE (partner_id, learner_id, case_id, attempt)
);

CREATE INDEX sessions_learner_idx
    ON sessions (partner_id, learner_id, created_at, id);
CREATE INDEX sessions_idle_idx ON sessions (status, last_activity_at, id);
CREATE INDEX sessions_cohort_idx ON sessions (partner_id, cohort_id, created_at);
CREATE INDEX sessions_cohort_case_idx
    ON sessions (partner_id, cohort_id, case_id, case_major, created_at);
CREATE INDEX sessions_assignment_idx
    ON sessions (partner_id, assignment_id, created_at);

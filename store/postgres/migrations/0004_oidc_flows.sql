-- Single sign-on flows (package launch/oidc): one row per started sign-in,
-- keyed by the SHA-256 of its state, deleted when its callback takes it
-- (DELETE ... RETURNING) or, once expired, by PurgeFlows.

CREATE TABLE oidc_flows (
    state_key    text COLLATE "C" NOT NULL,
    partner_id   text COLLATE "C" NOT NULL,
    nonce        text        NOT NULL,
    verifier     text        NOT NULL,
    cohort_id    text COLLATE "C" NOT NULL,
    case_id      text COLLATE "C" NOT NULL,
    case_set_id  text COLLATE "C" NOT NULL,
    expires_at   timestamptz NOT NULL,
    CONSTRAINT oidc_flows_pkey PRIMARY KEY (state_key)
);

CREATE INDEX oidc_flows_expiry_idx ON oidc_flows (expires_at);

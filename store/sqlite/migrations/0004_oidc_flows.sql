-- Single sign-on flows (package launch/oidc): one row per started sign-in,
-- keyed by the SHA-256 of its state, deleted when its callback takes it
-- (DELETE ... RETURNING) or, once expired, by PurgeFlows.

CREATE TABLE oidc_flows (
    state_key    TEXT    NOT NULL PRIMARY KEY,
    partner_id   TEXT    NOT NULL,
    nonce        TEXT    NOT NULL,
    verifier     TEXT    NOT NULL,
    cohort_id    TEXT    NOT NULL,
    case_id      TEXT    NOT NULL,
    case_set_id  TEXT    NOT NULL,
    expires_at   INTEGER NOT NULL
);

CREATE INDEX oidc_flows_expiry_idx ON oidc_flows (expires_at);

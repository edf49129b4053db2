-- Attempts whose sessions the retention purge deleted, per learner,
-- assignment and case: the highest attempt number and how many attempts
-- counted against max attempts or were completed, so that attempt numbers
-- are never reused and purged attempts still count. Rows go with their
-- learner (the adapter turns foreign keys on for every connection).

CREATE TABLE purged_attempts (
    partner_id     TEXT    NOT NULL,
    learner_id     TEXT    NOT NULL,
    case_id        TEXT    NOT NULL,
    assignment_id  TEXT    NOT NULL,
    last_attempt   INTEGER NOT NULL,
    counted        INTEGER NOT NULL,
    completed      INTEGER NOT NULL,
    PRIMARY KEY (partner_id, learner_id, case_id, assignment_id),
    FOREIGN KEY (partner_id, learner_id) REFERENCES learners (partner_id, id)
        ON DELETE CASCADE
);

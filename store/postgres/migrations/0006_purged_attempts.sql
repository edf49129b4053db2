-- Attempts whose sessions the retention purge deleted, per learner,
-- assignment and case: the highest attempt number and how many attempts
-- counted against max attempts or were completed, so that attempt numbers
-- are never reused and purged attempts still count. Rows go with their
-- learner.

CREATE TABLE purged_attempts (
    partner_id     text COLLATE "C" NOT NULL,
    learner_id     text COLLATE "C" NOT NULL,
    case_id        text COLLATE "C" NOT NULL,
    assignment_id  text COLLATE "C" NOT NULL,
    last_attempt   integer          NOT NULL,
    counted        integer          NOT NULL,
    completed      integer          NOT NULL,
    CONSTRAINT purged_attempts_pkey
        PRIMARY KEY (partner_id, learner_id, case_id, assignment_id),
    CONSTRAINT purged_attempts_learner_fkey FOREIGN KEY (partner_id, learner_id)
        REFERENCES learners (partner_id, id) ON DELETE CASCADE
);

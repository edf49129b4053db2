package session

import (
	"context"
	"fmt"
)

// PurgedAttempts is what the retention purge keeps of a learner's attempts
// at one case under one assignment once it has deleted their sessions:
// enough for attempt numbers never to be reused, for max attempts to go on
// counting them and for a case set's sequencing to know the case was
// completed. It holds no score, time or partner user id.
type PurgedAttempts struct {
	// PartnerID is the learner's partner.
	PartnerID string
	// LearnerID is our id of the learner.
	LearnerID string
	// AssignmentID is the assignment the purged sessions ran under.
	AssignmentID string
	// CaseID is the case of the purged sessions.
	CaseID string
	// LastAttempt is the highest attempt number of the purged sessions,
	// previews included.
	LastAttempt int
	// Counted is how many purged sessions counted against the
	// assignment's max attempts: those neither voided nor previews.
	Counted int
	// Completed is how many purged sessions that were not previews had
	// been completed.
	Completed int
}

// PurgedAttemptLister is an optional capability of a [Tx]: the records of
// the attempts whose sessions the retention purge deleted. Every adapter of
// this module implements it, and keeps the records so:
//   - [RetentionStore.PurgeBatch] of PurgeSessions adds, in the transaction
//     deleting them, the purged sessions of each stored learner to the
//     learner's record of their assignment and case (one per assignment
//     and case); sessions of no stored learner (anonymised ones, whose
//     learner is a tombstone) leave no record.
//   - Deleting the learner ([LearnerEraser.EraseLearner], PurgeLearners)
//     deletes its records in the same transaction.
//
// A launch reads the records after its learner upsert, and the purge
// deletes a learner's sessions only while it holds that learner's row (in
// SQL stores, a row lock; SQLite and the memory store run one write
// transaction at a time), so a launch sees a purge whole or not at all.
//
// [Service.Launch] on a store without it counts attempts from the stored
// sessions alone.
type PurgedAttemptLister interface {
	// ListPurgedAttempts returns the records of the partner's learner,
	// ordered by CaseID, then AssignmentID: an empty list when there are
	// none or the learner is unknown.
	ListPurgedAttempts(ctx context.Context, partnerID, learnerID string) ([]PurgedAttempts, error)
}

// purgedAttempts returns the learner's purged attempt records, or none
// when tx is not a [PurgedAttemptLister].
func purgedAttempts(ctx context.Context, tx Tx, partnerID, learnerID string) (
	[]PurgedAttempts, error) {
	lister, ok := tx.(PurgedAttemptLister)
	if !ok {
		return nil, nil
	}

	list, err := lister.ListPurgedAttempts(ctx, partnerID, learnerID)
	if err != nil {
		return nil, fmt.Errorf("session: purged attempts: %w", err)
	}

	return list, nil
}

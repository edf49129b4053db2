package session

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/virtualaipatient/integration/internal/logkey"
)

// ErasePolicy says how [LearnerEraser.EraseLearner] treats the learner's
// sessions.
type ErasePolicy struct {
	// KeepAnonymousAggregates keeps the sessions, anonymised, instead of
	// deleting them: each gets a new random ID (the change time is kept,
	// so they do not reappear in change listings), PartnerUserID is
	// cleared and LearnerID becomes Tombstone.
	KeepAnonymousAggregates bool
	// Tombstone is the learner id written into kept sessions: random and
	// unrelated to the learner, shared by the learner's sessions so that
	// per-learner aggregates stay right. Required when
	// KeepAnonymousAggregates is set.
	Tombstone string
}

// ErasureCounts counts what one erasure removed or anonymised.
type ErasureCounts struct {
	// Learners counts learner records deleted (0 or 1).
	Learners int
	// SessionsDeleted counts sessions deleted.
	SessionsDeleted int
	// SessionsAnonymised counts sessions kept without the person.
	SessionsAnonymised int
	// OutboxEvents counts webhook events about the learner's sessions
	// deleted, whatever their delivery state (their bodies name the
	// learner).
	OutboxEvents int
	// LaunchCodes counts the one-time launch codes of the sessions that
	// the store held and deleted in the transaction. Codes kept outside
	// the store (reporting.MemoryCodes) are not counted; see
	// [Service.DeleteLearner].
	LaunchCodes int
}

// Total returns the number of records deleted or anonymised.
func (c ErasureCounts) Total() int {
	return c.Learners + c.SessionsDeleted + c.SessionsAnonymised + c.OutboxEvents +
		c.LaunchCodes
}

// Erasure is what [LearnerEraser.EraseLearner] did.
type Erasure struct {
	// LearnerID is our id of the erased learner, or empty when the
	// partner had no such learner.
	LearnerID string
	// SessionIDs are the sessions deleted or anonymised, by the ids they
	// had before, sorted.
	SessionIDs []string
	// Counts says how many records of each kind went.
	Counts ErasureCounts
}

// LearnerEraser is an optional capability of a [Tx]: deleting every piece
// of a learner's personal data in the transaction. Every adapter of this
// module implements it.
type LearnerEraser interface {
	// EraseLearner removes the partner's learner with the subject (the
	// partner user id) from every table: the learner record and its
	// [PurgedAttempts] (when the store keeps them); the sessions
	// whose learner is that learner or whose partner user id is subject
	// (deleted, or anonymised as p says); the outbox events of those
	// sessions, delivered or not; the one-time launch codes of those
	// sessions. Consumed launch tokens and sign-in flows hold no subject
	// and are left alone, as are learner.deleted events. An unknown
	// learner gives a zero Erasure and a nil error.
	//
	// Implementations must be safe against launches and session changes
	// committing concurrently: a session or outbox event of the learner
	// must not survive the erasure because it was written meanwhile.
	// Deleting (and so locking) the learner record first, then the
	// sessions, then their events does it at READ COMMITTED; the
	// conformance suite (storetest.RunPrivacy) checks it.
	EraseLearner(ctx context.Context, partnerID, subject string, p ErasePolicy) (Erasure, error)
}

// DeleteLearner deletes the personal data of the partner's learner known
// by the partner user id subject, in one transaction, and returns the
// receipt. The partner's [Policy.KeepAnonymousAggregates] decides whether
// the learner's sessions are deleted or kept anonymised. When anything was
// erased, a learner.deleted event carrying the receipt is written to the
// outbox in the same transaction; it names the partner user id, which the
// partner needs to match the receipt, and nothing else personal. Deleting
// a learner again, or one never seen, is harmless: the receipt's counts
// are zero and no event is written. It returns ErrUnsupported when the
// store's transactions are not a [LearnerEraser].
//
// NOTE: one-time launch codes kept outside the store, in a
// reporting.MemoryCodes, are not part of the transaction and not counted.
// The reporting handler's DELETE /learners forgets them after the
// transaction; a host calling DeleteLearner itself calls the code store's
// ForgetSessions with the receipt's SessionIDs.
func (s *Service) DeleteLearner(
	ctx context.Context, partnerID, subject string,
) (DeletionReceipt, error) {
	if partnerID == "" || subject == "" {
		return DeletionReceipt{}, invalid("learner", "partner and partner user id are required")
	}

	pol, err := s.policy(ctx, partnerID)
	if err != nil {
		return DeletionReceipt{}, err
	}

	var receipt DeletionReceipt
	err = s.inTx(ctx, func(tx Tx, now time.Time) error {
		receipt, err = s.eraseInTx(ctx, tx, partnerID, subject, pol, now)
		return err
	})
	if err != nil {
		return DeletionReceipt{}, err
	}

	s.logger().InfoContext(ctx, "session: learner deleted", "partner", partnerID,
		s.logKey().Attr("learner", partnerID, subject),
		"sessions_deleted", receipt.Counts.SessionsDeleted,
		"sessions_anonymised", receipt.Counts.SessionsAnonymised,
		"outbox_events", receipt.Counts.OutboxEvents)

	return receipt, nil
}

func (s *Service) eraseInTx(
	ctx context.Context, tx Tx, partnerID, subject string, pol Policy, now time.Time,
) (DeletionReceipt, error) {
	eraser, ok := tx.(LearnerEraser)
	if !ok {
		return DeletionReceipt{}, fmt.Errorf("session: delete learner: %w", ErrUnsupported)
	}

	p := ErasePolicy{KeepAnonymousAggregates: pol.KeepAnonymousAggregates}
	if p.KeepAnonymousAggregates {
		p.Tombstone = newID()
	}

	er, err := eraser.EraseLearner(ctx, partnerID, subject, p)
	if err != nil {
		return DeletionReceipt{}, fmt.Errorf("session: delete learner: %w", err)
	}

	r := DeletionReceipt{ID: newID(), PartnerID: partnerID, LearnerID: er.LearnerID,
		PartnerUserID: subject, SessionIDs: slices.Clone(er.SessionIDs), DeletedAt: now,
		Counts: er.Counts}
	if er.Counts.Total() == 0 || er.LearnerID == "" {
		return r, nil
	}

	return r, s.AppendDeletionEvent(ctx, tx, r)
}

func (s *Service) logger() *slog.Logger {
	return logkey.Discard(s.Logger)
}

func (s *Service) logKey() *logkey.Key {
	if len(s.LogKey) == 0 {
		return logkey.Process()
	}

	return logkey.New(s.LogKey)
}

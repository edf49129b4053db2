package memory

import (
	"cmp"
	"context"
	"slices"

	"github.com/virtualaipatient/integration/session"
)

var _ session.PurgedAttemptLister = (*txn)(nil)

// ListPurgedAttempts implements [session.PurgedAttemptLister].
func (tx *txn) ListPurgedAttempts(ctx context.Context, partnerID, learnerID string) (
	[]session.PurgedAttempts, error) {
	if err := tx.check(ctx, false); err != nil {
		return nil, err
	}

	return slices.Clone(tx.d.purged[key{partnerID, learnerID}]), nil
}

// ListPurgedAttempts implements [session.PurgedAttemptLister].
func (s *Store) ListPurgedAttempts(ctx context.Context, partnerID, learnerID string) (
	list []session.PurgedAttempts, err error) {
	err = s.read(func(tx *txn) error {
		list, err = tx.ListPurgedAttempts(ctx, partnerID, learnerID)
		return err
	})
	return list, err
}

// keepPurged adds the purged session s to its learner's record of its
// assignment and case. A session of no stored learner (an anonymised
// one) leaves no record.
func (tx *txn) keepPurged(s session.Session) {
	lk := key{s.PartnerID, s.LearnerID}
	if _, ok := tx.d.learners[lk]; !ok {
		return
	}

	list := slices.Clone(tx.d.purged[lk])
	i, found := slices.BinarySearchFunc(list, s, comparePurged)
	if !found {
		list = slices.Insert(list, i, session.PurgedAttempts{PartnerID: s.PartnerID,
			LearnerID: s.LearnerID, AssignmentID: s.AssignmentID, CaseID: s.CaseID})
	}

	pa := &list[i]
	pa.LastAttempt = max(pa.LastAttempt, s.Attempt)
	if s.Status != session.StatusVoided && !s.Preview {
		pa.Counted++
	}

	if s.Status == session.StatusCompleted && !s.Preview {
		pa.Completed++
	}

	setMap(tx, tx.d.purged, lk, list)
}

// comparePurged orders records by case, then assignment, against the
// session s.
func comparePurged(pa session.PurgedAttempts, s session.Session) int {
	return cmp.Or(cmp.Compare(pa.CaseID, s.CaseID), cmp.Compare(pa.AssignmentID, s.AssignmentID))
}

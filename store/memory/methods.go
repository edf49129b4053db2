package memory

import (
	"context"

	"github.com/virtualaipatient/integration/session"
)

// The methods below run each operation as its own transaction. Their
// semantics are those documented on the session store interfaces.

// PutCase implements [session.CaseStore].
func (s *Store) PutCase(ctx context.Context, c session.Case) error {
	return s.write(ctx, func(tx *txn) error { return tx.PutCase(ctx, c) })
}

// GetCase implements [session.CaseStore].
func (s *Store) GetCase(ctx context.Context, id string) (c session.Case, err error) {
	err = s.read(func(tx *txn) error { c, err = tx.GetCase(ctx, id); return err })
	return c, err
}

// InsertCaseVersion implements [session.CaseVersionStore].
func (s *Store) InsertCaseVersion(ctx context.Context, v session.CaseVersion) error {
	return s.write(ctx, func(tx *txn) error { return tx.InsertCaseVersion(ctx, v) })
}

// GetCaseVersion implements [session.CaseVersionStore].
func (s *Store) GetCaseVersion(
	ctx context.Context, caseID string, major, minor int,
) (v session.CaseVersion, err error) {
	err = s.read(func(tx *txn) error {
		v, err = tx.GetCaseVersion(ctx, caseID, major, minor)
		return err
	})
	return v, err
}

// LatestCaseVersion implements [session.CaseVersionStore].
func (s *Store) LatestCaseVersion(
	ctx context.Context, caseID string,
) (v session.CaseVersion, err error) {
	err = s.read(func(tx *txn) error { v, err = tx.LatestCaseVersion(ctx, caseID); return err })
	return v, err
}

// PutCaseSet implements [session.CaseSetStore].
func (s *Store) PutCaseSet(ctx context.Context, cs session.CaseSet) error {
	return s.write(ctx, func(tx *txn) error { return tx.PutCaseSet(ctx, cs) })
}

// GetCaseSet implements [session.CaseSetStore].
func (s *Store) GetCaseSet(ctx context.Context, id string) (cs session.CaseSet, err error) {
	err = s.read(func(tx *txn) error { cs, err = tx.GetCaseSet(ctx, id); return err })
	return cs, err
}

// PutCohort implements [session.CohortStore].
func (s *Store) PutCohort(ctx context.Context, c session.Cohort) error {
	return s.write(ctx, func(tx *txn) error { return tx.PutCohort(ctx, c) })
}

// GetCohort implements [session.CohortStore].
func (s *Store) GetCohort(ctx context.Context, partnerID, id string) (c session.Cohort, err error) {
	err = s.read(func(tx *txn) error { c, err = tx.GetCohort(ctx, partnerID, id); return err })
	return c, err
}

// PutAssignment implements [session.AssignmentStore].
func (s *Store) PutAssignment(ctx context.Context, a session.Assignment) error {
	return s.write(ctx, func(tx *txn) error { return tx.PutAssignment(ctx, a) })
}

// GetAssignment implements [session.AssignmentStore].
func (s *Store) GetAssignment(
	ctx context.Context, partnerID, id string,
) (a session.Assignment, err error) {
	err = s.read(func(tx *txn) error { a, err = tx.GetAssignment(ctx, partnerID, id); return err })
	return a, err
}

// ListAssignments implements [session.AssignmentStore].
func (s *Store) ListAssignments(
	ctx context.Context, partnerID, cohortID string,
) (list []session.Assignment, err error) {
	err = s.read(func(tx *txn) error {
		list, err = tx.ListAssignments(ctx, partnerID, cohortID)
		return err
	})
	return list, err
}

// DeleteAssignment implements [session.AssignmentStore].
func (s *Store) DeleteAssignment(ctx context.Context, partnerID, id string) error {
	return s.write(ctx, func(tx *txn) error { return tx.DeleteAssignment(ctx, partnerID, id) })
}

// UpsertLearner implements [session.LearnerStore].
func (s *Store) UpsertLearner(ctx context.Context, l session.Learner) (out session.Learner, err error) {
	err = s.write(ctx, func(tx *txn) error { out, err = tx.UpsertLearner(ctx, l); return err })
	return out, err
}

// GetLearner implements [session.LearnerStore].
func (s *Store) GetLearner(ctx context.Context, partnerID, id string) (l session.Learner, err error) {
	err = s.read(func(tx *txn) error { l, err = tx.GetLearner(ctx, partnerID, id); return err })
	return l, err
}

// GetLearnerBySubject implements [session.LearnerStore].
func (s *Store) GetLearnerBySubject(
	ctx context.Context, partnerID, subject string,
) (l session.Learner, err error) {
	err = s.read(func(tx *txn) error {
		l, err = tx.GetLearnerBySubject(ctx, partnerID, subject)
		return err
	})
	return l, err
}

// ConsumeToken implements [session.TokenStore].
func (s *Store) ConsumeToken(ctx context.Context, t session.ConsumedToken) error {
	return s.write(ctx, func(tx *txn) error { return tx.ConsumeToken(ctx, t) })
}

// InsertSession implements [session.SessionStore].
func (s *Store) InsertSession(ctx context.Context, ss session.Session) error {
	return s.write(ctx, func(tx *txn) error { return tx.InsertSession(ctx, ss) })
}

// UpdateSession implements [session.SessionStore].
func (s *Store) UpdateSession(ctx context.Context, ss session.Session, prev int64) error {
	return s.write(ctx, func(tx *txn) error { return tx.UpdateSession(ctx, ss, prev) })
}

// GetSession implements [session.SessionStore].
func (s *Store) GetSession(ctx context.Context, partnerID, id string) (ss session.Session, err error) {
	err = s.read(func(tx *txn) error { ss, err = tx.GetSession(ctx, partnerID, id); return err })
	return ss, err
}

// ListLearnerSessions implements [session.SessionStore].
func (s *Store) ListLearnerSessions(
	ctx context.Context, partnerID, learnerID string,
) (list []session.Session, err error) {
	err = s.read(func(tx *txn) error {
		list, err = tx.ListLearnerSessions(ctx, partnerID, learnerID)
		return err
	})
	return list, err
}

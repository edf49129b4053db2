package memory

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/virtualaipatient/integration/session"
)

func targetOf(a session.Assignment) targetKey {
	return targetKey{a.PartnerID, a.CohortID, a.CaseID, a.CaseSetID}
}

func (tx *txn) PutAssignment(ctx context.Context, a session.Assignment) error {
	if err := tx.check(ctx, true); err != nil {
		return err
	}

	k := key{a.PartnerID, a.ID}
	if id, ok := tx.d.targets[targetOf(a)]; ok && id != a.ID {
		return fmt.Errorf("memory: put assignment: %w", session.ErrTargetAssigned)
	}

	if old, ok := tx.d.assignments[k]; ok {
		deleteMap(tx, tx.d.targets, targetOf(old))
	}

	setMap(tx, tx.d.targets, targetOf(a), a.ID)
	setMap(tx, tx.d.assignments, k, copyAssignment(a))
	return nil
}

func (tx *txn) GetAssignment(ctx context.Context, partnerID, id string) (session.Assignment, error) {
	if err := tx.check(ctx, false); err != nil {
		return session.Assignment{}, err
	}

	a, ok := tx.d.assignments[key{partnerID, id}]
	if !ok {
		return session.Assignment{}, notFound("assignment")
	}

	return copyAssignment(a), nil
}

func (tx *txn) ListAssignments(
	ctx context.Context, partnerID, cohortID string,
) ([]session.Assignment, error) {
	if err := tx.check(ctx, false); err != nil {
		return nil, err
	}

	var out []session.Assignment
	for _, a := range tx.d.assignments {
		if a.PartnerID == partnerID && a.CohortID == cohortID {
			out = append(out, copyAssignment(a))
		}
	}

	slices.SortFunc(out, func(a, b session.Assignment) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
	})

	return out, nil
}

func (tx *txn) DeleteAssignment(ctx context.Context, partnerID, id string) error {
	if err := tx.check(ctx, true); err != nil {
		return err
	}

	k := key{partnerID, id}
	a, ok := tx.d.assignments[k]
	if !ok {
		return notFound("assignment")
	}

	deleteMap(tx, tx.d.targets, targetOf(a))
	deleteMap(tx, tx.d.assignments, k)
	return nil
}

func (tx *txn) UpsertLearner(ctx context.Context, l session.Learner) (session.Learner, error) {
	if err := tx.check(ctx, true); err != nil {
		return session.Learner{}, err
	}

	sk := key{l.PartnerID, l.Subject}
	if id, ok := tx.d.subjects[sk]; ok {
		k := key{l.PartnerID, id}
		stored := tx.d.learners[k]
		stored.Name, stored.LastSeenAt = l.Name, utc(l.LastSeenAt)
		setMap(tx, tx.d.learners, k, stored)
		return stored, nil
	}

	l.CreatedAt, l.LastSeenAt = utc(l.CreatedAt), utc(l.LastSeenAt)
	setMap(tx, tx.d.subjects, sk, l.ID)
	setMap(tx, tx.d.learners, key{l.PartnerID, l.ID}, l)
	return l, nil
}

func (tx *txn) GetLearner(ctx context.Context, partnerID, id string) (session.Learner, error) {
	if err := tx.check(ctx, false); err != nil {
		return session.Learner{}, err
	}

	l, ok := tx.d.learners[key{partnerID, id}]
	if !ok {
		return session.Learner{}, notFound("learner")
	}

	return l, nil
}

func (tx *txn) GetLearnerBySubject(
	ctx context.Context, partnerID, subject string,
) (session.Learner, error) {
	if err := tx.check(ctx, false); err != nil {
		return session.Learner{}, err
	}

	id, ok := tx.d.subjects[key{partnerID, subject}]
	if !ok {
		return session.Learner{}, notFound("learner")
	}

	return tx.d.learners[key{partnerID, id}], nil
}

func attemptOf(s session.Session) attemptKey {
	return attemptKey{s.PartnerID, s.LearnerID, s.CaseID, s.Attempt}
}

func (tx *txn) InsertSession(ctx context.Context, s session.Session) error {
	if err := tx.check(ctx, true); err != nil {
		return err
	}

	k := key{s.PartnerID, s.ID}
	if _, ok := tx.d.sessions[k]; ok {
		return fmt.Errorf("memory: insert session: %w", session.ErrAlreadyExists)
	}

	if _, ok := tx.d.attempts[attemptOf(s)]; ok {
		return fmt.Errorf("memory: insert session: %w", session.ErrAttemptTaken)
	}

	cp, err := copySession(s)
	if err != nil {
		return err
	}

	lk := key{s.PartnerID, s.LearnerID}
	ids := append(slices.Clip(tx.d.byLearner[lk]), s.ID)
	setMap(tx, tx.d.byLearner, lk, ids)
	setMap(tx, tx.d.attempts, attemptOf(s), s.ID)
	setMap(tx, tx.d.sessions, k, cp)
	tx.stampChange(k)
	return nil
}

func (tx *txn) UpdateSession(ctx context.Context, s session.Session, prev int64) error {
	if err := tx.check(ctx, true); err != nil {
		return err
	}

	k := key{s.PartnerID, s.ID}
	old, ok := tx.d.sessions[k]
	if !ok {
		return notFound("session")
	}

	if old.Revision != prev {
		return fmt.Errorf("memory: update session: %w", session.ErrStaleRevision)
	}

	cp, err := copySession(s)
	if err != nil {
		return err
	}

	cp.LearnerID, cp.CaseID, cp.Attempt = old.LearnerID, old.CaseID, old.Attempt
	setMap(tx, tx.d.sessions, k, cp)
	tx.stampChange(k)
	return nil
}

func (tx *txn) GetSession(ctx context.Context, partnerID, id string) (session.Session, error) {
	if err := tx.check(ctx, false); err != nil {
		return session.Session{}, err
	}

	s, ok := tx.d.sessions[key{partnerID, id}]
	if !ok {
		return session.Session{}, notFound("session")
	}

	return copySession(s)
}

func (tx *txn) ListLearnerSessions(
	ctx context.Context, partnerID, learnerID string,
) ([]session.Session, error) {
	if err := tx.check(ctx, false); err != nil {
		return nil, err
	}

	ids := tx.d.byLearner[key{partnerID, learnerID}]
	out := make([]session.Session, 0, len(ids))
	for _, id := range ids {
		out = append(out, tx.d.sessions[key{partnerID, id}])
	}

	slices.SortFunc(out, func(a, b session.Session) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
	})

	return copySessions(out)
}

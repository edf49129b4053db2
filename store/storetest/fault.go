package storetest

import (
	"context"
	"sync"

	"github.com/virtualaipatient/integration/session"
)

// FaultStore wraps a store so that one operation, named by its method name
// (e.g. "InsertSession"), fails inside transactions. The operation runs
// first (a write is done) and then ErrInjected is returned, so the store's
// rollback must undo the write. Calls outside WithTx pass through.
type FaultStore struct {
	session.Store

	mu   sync.Mutex
	fail string
}

// NewFaultStore wraps st with no fault armed.
func NewFaultStore(st session.Store) *FaultStore {
	return &FaultStore{Store: st}
}

// FailOn arms the fault for the operation op; "" disarms it.
func (f *FaultStore) FailOn(op string) {
	f.mu.Lock()
	defer f.mu.Unlock()

	f.fail = op
}

// WithTx runs fn on a transaction whose armed operation fails.
func (f *FaultStore) WithTx(ctx context.Context, fn func(tx session.Tx) error) error {
	return f.Store.WithTx(ctx, func(tx session.Tx) error {
		return fn(&faultTx{tx: tx, f: f})
	})
}

func (f *FaultStore) check(op string, err error) error {
	f.mu.Lock()
	defer f.mu.Unlock()

	if err == nil && f.fail == op {
		return ErrInjected
	}

	return err
}

type faultTx struct {
	tx session.Tx
	f  *FaultStore
}

func (t *faultTx) PutCase(ctx context.Context, c session.Case) error {
	return t.f.check("PutCase", t.tx.PutCase(ctx, c))
}

func (t *faultTx) GetCase(ctx context.Context, id string) (session.Case, error) {
	c, err := t.tx.GetCase(ctx, id)
	return c, t.f.check("GetCase", err)
}

func (t *faultTx) InsertCaseVersion(ctx context.Context, v session.CaseVersion) error {
	return t.f.check("InsertCaseVersion", t.tx.InsertCaseVersion(ctx, v))
}

func (t *faultTx) GetCaseVersion(
	ctx context.Context, caseID string, major, minor int,
) (session.CaseVersion, error) {
	v, err := t.tx.GetCaseVersion(ctx, caseID, major, minor)
	return v, t.f.check("GetCaseVersion", err)
}

func (t *faultTx) LatestCaseVersion(ctx context.Context, caseID string) (session.CaseVersion, error) {
	v, err := t.tx.LatestCaseVersion(ctx, caseID)
	return v, t.f.check("LatestCaseVersion", err)
}

func (t *faultTx) PutCaseSet(ctx context.Context, s session.CaseSet) error {
	return t.f.check("PutCaseSet", t.tx.PutCaseSet(ctx, s))
}

func (t *faultTx) GetCaseSet(ctx context.Context, id string) (session.CaseSet, error) {
	s, err := t.tx.GetCaseSet(ctx, id)
	return s, t.f.check("GetCaseSet", err)
}

func (t *faultTx) PutCohort(ctx context.Context, c session.Cohort) error {
	return t.f.check("PutCohort", t.tx.PutCohort(ctx, c))
}

func (t *faultTx) GetCohort(ctx context.Context, partnerID, id string) (session.Cohort, error) {
	c, err := t.tx.GetCohort(ctx, partnerID, id)
	return c, t.f.check("GetCohort", err)
}

func (t *faultTx) PutAssignment(ctx context.Context, a session.Assignment) error {
	return t.f.check("PutAssignment", t.tx.PutAssignment(ctx, a))
}

func (t *faultTx) GetAssignment(
	ctx context.Context, partnerID, id string,
) (session.Assignment, error) {
	a, err := t.tx.GetAssignment(ctx, partnerID, id)
	return a, t.f.check("GetAssignment", err)
}

func (t *faultTx) ListAssignments(
	ctx context.Context, partnerID, cohortID string,
) ([]session.Assignment, error) {
	list, err := t.tx.ListAssignments(ctx, partnerID, cohortID)
	return list, t.f.check("ListAssignments", err)
}

func (t *faultTx) DeleteAssignment(ctx context.Context, partnerID, id string) error {
	return t.f.check("DeleteAssignment", t.tx.DeleteAssignment(ctx, partnerID, id))
}

func (t *faultTx) UpsertLearner(ctx context.Context, l session.Learner) (session.Learner, error) {
	out, err := t.tx.UpsertLearner(ctx, l)
	return out, t.f.check("UpsertLearner", err)
}

func (t *faultTx) GetLearner(ctx context.Context, partnerID, id string) (session.Learner, error) {
	l, err := t.tx.GetLearner(ctx, partnerID, id)
	return l, t.f.check("GetLearner", err)
}

func (t *faultTx) GetLearnerBySubject(
	ctx context.Context, partnerID, subject string,
) (session.Learner, error) {
	l, err := t.tx.GetLearnerBySubject(ctx, partnerID, subject)
	return l, t.f.check("GetLearnerBySubject", err)
}

func (t *faultTx) ConsumeToken(ctx context.Context, tok session.ConsumedToken) error {
	return t.f.check("ConsumeToken", t.tx.ConsumeToken(ctx, tok))
}

func (t *faultTx) InsertSession(ctx context.Context, s session.Session) error {
	return t.f.check("InsertSession", t.tx.InsertSession(ctx, s))
}

func (t *faultTx) UpdateSession(ctx context.Context, s session.Session, prev int64) error {
	return t.f.check("UpdateSession", t.tx.UpdateSession(ctx, s, prev))
}

func (t *faultTx) GetSession(ctx context.Context, partnerID, id string) (session.Session, error) {
	s, err := t.tx.GetSession(ctx, partnerID, id)
	return s, t.f.check("GetSession", err)
}

func (t *faultTx) ListLearnerSessions(
	ctx context.Context, partnerID, learnerID string,
) ([]session.Session, error) {
	list, err := t.tx.ListLearnerSessions(ctx, partnerID, learnerID)
	return list, t.f.check("ListLearnerSessions", err)
}

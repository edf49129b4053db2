package sqlstoretest

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/session"
)

// errInjected is the failure a faultTx injects.
var errInjected = errors.New("sqlstoretest: injected failure")

// Points where a faultStore fails a launch.
const (
	failLearner    = "upsert learner"
	failAssignment = "put assignment"
	failSession    = "insert session"
	failCommit     = "before commit"
)

// faultStore runs transactions of the real store and fails them at one
// point: a write method of the transaction, or after fn succeeded and
// before the commit.
type faultStore struct {
	session.Store
	at string
}

// WithTx runs fn on a faultTx and injects the failure.
func (f *faultStore) WithTx(ctx context.Context, fn func(tx session.Tx) error) error {
	return f.Store.WithTx(ctx, func(tx session.Tx) error {
		if err := fn(&faultTx{Tx: tx, at: f.at}); err != nil {
			return err
		}

		if f.at == failCommit {
			return errInjected
		}

		return nil
	})
}

// faultTx fails the write method named by at, after the real write ran,
// so that the transaction holds the write when it rolls back.
type faultTx struct {
	session.Tx
	at string
}

// UpsertLearner writes, then fails when at is failLearner.
func (f *faultTx) UpsertLearner(ctx context.Context, l session.Learner) (session.Learner, error) {
	got, err := f.Tx.UpsertLearner(ctx, l)
	if err == nil && f.at == failLearner {
		return session.Learner{}, errInjected
	}

	return got, err
}

// PutAssignment writes, then fails when at is failAssignment.
func (f *faultTx) PutAssignment(ctx context.Context, a session.Assignment) error {
	err := f.Tx.PutAssignment(ctx, a)
	if err == nil && f.at == failAssignment {
		return errInjected
	}

	return err
}

// InsertSession writes, then fails when at is failSession.
func (f *faultTx) InsertSession(ctx context.Context, s session.Session) error {
	err := f.Tx.InsertSession(ctx, s)
	if err == nil && f.at == failSession {
		return errInjected
	}

	return err
}

// FailMidLaunch launches through st made to fail at each point of the
// launch transaction (after the learner, the ad-hoc assignment or the
// session was written, or just before the commit) and checks that nothing
// was written: no learner, no assignment, no session, and the token is
// still unused (a launch with it then succeeds).
func FailMidLaunch(t *testing.T, st session.Store) {
	ctx := context.Background()
	Seed(t, st)

	points := []string{failLearner, failAssignment, failSession, failCommit}
	for i, at := range points {
		t.Run(at, func(t *testing.T) {
			l := NewLaunch(subject(100+i), "jti-fault-"+at)
			_, err := session.New(&faultStore{Store: st, at: at}).Launch(ctx, l)
			require.ErrorIs(t, err, errInjected)

			_, err = st.GetLearnerBySubject(ctx, partnerID, l.Subject)
			assert.ErrorIs(t, err, session.ErrNotFound, "no learner")
			list, err := st.ListAssignments(ctx, partnerID, cohortID)
			require.NoError(t, err)
			assert.Empty(t, list, "no ad-hoc assignment")

			res, err := session.New(st).Launch(ctx, l)
			require.NoError(t, err, "the token was not consumed")
			assert.Equal(t, 1, res.Session.Attempt, "no session took attempt 1")
			require.NoError(t, st.DeleteAssignment(ctx, partnerID, res.Assignment.ID))
		})
	}
}

package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/internal/testenv"
	"github.com/virtualaipatient/integration/launch"
	"github.com/virtualaipatient/integration/scoring"
	"github.com/virtualaipatient/integration/session"
)

// holdStore holds the first launch transaction open for hold right after
// it inserted its session, and closes inserted then.
type holdStore struct {
	session.Store
	inserted chan struct{}
	hold     time.Duration
}

func (h *holdStore) WithTx(ctx context.Context, fn func(tx session.Tx) error) error {
	return h.Store.WithTx(ctx, func(tx session.Tx) error { return fn(&holdTx{Tx: tx, h: h}) })
}

type holdTx struct {
	session.Tx
	h *holdStore
}

func (t *holdTx) InsertSession(ctx context.Context, s session.Session) error {
	if err := t.Tx.InsertSession(ctx, s); err != nil {
		return err
	}

	if t.h.inserted != nil {
		close(t.h.inserted)
		t.h.inserted = nil
		time.Sleep(t.h.hold)
	}

	return nil
}

// TestPurgeLearnerDuringLaunch checks that the retention purge never
// deletes a learner whom a launch, committing while the purge waits on
// the learner's row, has just given a session: the row PostgreSQL
// rechecks has a new last_seen_at.
func TestPurgeLearnerDuringLaunch(t *testing.T) {
	dsn := testenv.PostgresDSN(t)
	ctx := context.Background()
	st := openSchema(t, dsn, newSchema(t, dsn))
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	now := t0.Add(31 * 24 * time.Hour)
	svc := session.New(st)
	svc.Now = func() time.Time { return now }
	_, err := svc.PutCase(ctx, session.Case{ID: "case-a", Title: "Case A"})
	require.NoError(t, err)
	_, err = svc.PublishCaseVersion(ctx, session.CaseVersion{CaseID: "case-a", Major: 1,
		Rubric: scoring.Rubric{Domains: []scoring.Domain{{Code: "history", MaxPoints: 10, Weight: 1}},
			Threshold: 0.7}})
	require.NoError(t, err)
	_, err = svc.PutCohort(ctx, session.Cohort{PartnerID: "partner-a", ID: "cohort-1"})
	require.NoError(t, err)

	// A learner last seen 31 days ago, with no session: past the default
	// retention of learners without sessions.
	_, err = st.UpsertLearner(ctx, session.Learner{PartnerID: "partner-a", ID: uuid.NewString(),
		Subject: "user-1", CreatedAt: t0, LastSeenAt: t0})
	require.NoError(t, err)

	held := &holdStore{Store: st, inserted: make(chan struct{}), hold: time.Second}
	launching := *svc
	launching.Store = held
	inserted := held.inserted
	type launched struct {
		res session.LaunchResult
		err error
	}
	done := make(chan launched)
	go func() {
		res, err := launching.Launch(ctx, launch.Launch{PartnerID: "partner-a",
			Issuer: "https://lms.example", TokenID: uuid.NewString(), ExpiresAt: now.Add(time.Minute),
			Subject: "user-1", Role: launch.RoleLearner, CohortID: "cohort-1", CaseID: "case-a"})
		done <- launched{res, err}
	}()

	<-inserted
	purged, err := svc.Purge(ctx)
	require.NoError(t, err)
	l := <-done
	require.NoError(t, l.err)
	assert.Zero(t, purged.Learners, "the learner the launch committed was purged")

	_, err = st.GetLearner(ctx, "partner-a", l.res.Learner.ID)
	require.NoError(t, err, "the new session's learner is gone")
}

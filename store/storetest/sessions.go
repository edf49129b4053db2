package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/launch"
	"github.com/virtualaipatient/integration/scoring"
	"github.com/virtualaipatient/integration/session"
)

func testSessions(t *testing.T, open Opener) {
	ctx := context.Background()
	st := open(t)
	learner := uuid.NewString()
	s1 := fixtureSession("partner-a", learner, "acs-chest-pain", 1)
	require.NoError(t, st.InsertSession(ctx, s1))

	got, err := st.GetSession(ctx, "partner-a", s1.ID)
	require.NoError(t, err)
	assert.Equal(t, s1, normSession(got))

	t.Run("InsertConflicts", func(t *testing.T) {
		sameID := fixtureSession("partner-a", learner, "acs-chest-pain", 2)
		sameID.ID = s1.ID
		require.ErrorIs(t, st.InsertSession(ctx, sameID), session.ErrAlreadyExists)

		sameAttempt := fixtureSession("partner-a", learner, "acs-chest-pain", 1)
		require.ErrorIs(t, st.InsertSession(ctx, sameAttempt), session.ErrAttemptTaken)
		_, err := st.GetSession(ctx, "partner-a", sameAttempt.ID)
		require.ErrorIs(t, err, session.ErrNotFound, "nothing written")

		otherCase := fixtureSession("partner-a", learner, "heart-failure", 1)
		require.NoError(t, st.InsertSession(ctx, otherCase))
	})

	t.Run("NotFound", func(t *testing.T) {
		got, err := st.GetSession(ctx, "partner-b", s1.ID)
		require.ErrorIs(t, err, session.ErrNotFound)
		assert.Equal(t, session.Session{}, got)

		absent := fixtureSession("partner-a", learner, "acs-chest-pain", 9)
		require.ErrorIs(t, st.UpdateSession(ctx, absent, 1), session.ErrNotFound)
		wrongPartner := s1
		wrongPartner.PartnerID = "partner-b"
		require.ErrorIs(t, st.UpdateSession(ctx, wrongPartner, 1), session.ErrNotFound)

		list, err := st.ListLearnerSessions(ctx, "partner-b", learner)
		require.NoError(t, err)
		assert.Empty(t, list)
	})

	t.Run("CompareAndSwap", func(t *testing.T) { testSessionCAS(t, st, s1) })
	t.Run("List", func(t *testing.T) { testSessionList(t, open) })
	t.Run("RoundTrip", func(t *testing.T) { testSessionRoundTrip(t, open) })
}

func testSessionCAS(t *testing.T, st session.Store, s1 session.Session) {
	ctx := context.Background()
	upd := s1
	upd.Status = session.StatusInProgress
	upd.StartedAt, upd.ActiveSince, upd.LastActivityAt = at(30), at(30), at(30)
	upd.Revision = 2
	require.NoError(t, st.UpdateSession(ctx, upd, 1))

	stale := s1
	stale.Status = session.StatusVoided
	stale.Revision = 2
	require.ErrorIs(t, st.UpdateSession(ctx, stale, 1), session.ErrStaleRevision)
	require.ErrorIs(t, st.UpdateSession(ctx, stale, 3), session.ErrStaleRevision)

	got, err := st.GetSession(ctx, s1.PartnerID, s1.ID)
	require.NoError(t, err)
	assert.Equal(t, upd, normSession(got), "stale updates write nothing")
}

func testSessionList(t *testing.T, open Opener) {
	ctx := context.Background()
	st := open(t)
	learner, other := uuid.NewString(), uuid.NewString()
	late := fixtureSession("partner-a", learner, "acs-chest-pain", 5)
	early := fixtureSession("partner-a", learner, "heart-failure", 1)
	early.CreatedAt = at(1)
	tieA := fixtureSession("partner-a", learner, "sepsis", 1)
	tieB := fixtureSession("partner-a", learner, "stroke", 1)
	tieA.CreatedAt, tieB.CreatedAt = at(3), at(3)
	tieA.ID, tieB.ID = "00000000-0000-4000-8000-00000000000b", "00000000-0000-4000-8000-00000000000a"
	foreign := fixtureSession("partner-a", other, "acs-chest-pain", 1)
	for _, s := range []session.Session{late, tieA, early, foreign, tieB} {
		require.NoError(t, st.InsertSession(ctx, s))
	}

	list, err := st.ListLearnerSessions(ctx, "partner-a", learner)
	require.NoError(t, err)
	assert.Equal(t, []string{early.ID, tieB.ID, tieA.ID, late.ID}, sessionIDs(list))
}

func testSessionRoundTrip(t *testing.T, open Opener) {
	ctx := context.Background()
	st := open(t)
	threshold := 0.8
	s := fixtureSession("partner-a", uuid.NewString(), "acs-chest-pain", 1)
	s.CaseSetID = "cardio-block"
	s.Threshold = &threshold
	s.Preview = true
	s.Mode = scoring.ModeAssessment
	s.Status = session.StatusCompleted
	s.EndReason = session.EndCompleted
	s.StartedAt, s.EndedAt = at(30), at(55)
	s.ActiveDuration = 17*time.Minute + 3*time.Second + 250*time.Millisecond
	s.GradingStatus = session.GradingFullyGraded
	in, res := storeScore()
	s.Input, s.Score, s.ScoreRevision = &in, &res, 2
	s.FlaggedErrors = in.Errors
	s.Revision = 7
	require.NoError(t, st.InsertSession(ctx, s))

	threshold = 0.1
	got, err := st.GetSession(ctx, s.PartnerID, s.ID)
	require.NoError(t, err)
	s.Threshold = &[]float64{0.8}[0]
	assert.Equal(t, s, normSession(got))

	got.Score = nil
	got.Input.Mode = "changed"
	again, err := st.GetSession(ctx, s.PartnerID, s.ID)
	require.NoError(t, err)
	assert.Equal(t, s, normSession(again), "returned values are copies")
}

func testIdleSessions(t *testing.T, open Opener) {
	ctx := context.Background()
	st := open(t)
	mk := func(partner string, status session.Status, last int) session.Session {
		s := fixtureSession(partner, uuid.NewString(), "acs-chest-pain", 1)
		s.Status, s.LastActivityAt = status, at(last)
		require.NoError(t, st.InsertSession(ctx, s))
		return s
	}
	a := mk("partner-a", session.StatusInProgress, 10)
	b := mk("partner-b", session.StatusSuspended, 5)
	c := mk("partner-a", session.StatusCreated, 1)
	mk("partner-a", session.StatusInProgress, 40)
	mk("partner-a", session.StatusCompleted, 1)
	d := mk("partner-b", session.StatusInProgress, 10)

	tie := []string{a.ID, d.ID}
	if d.ID < a.ID {
		tie = []string{d.ID, a.ID}
	}

	open2 := []session.Status{session.StatusInProgress, session.StatusSuspended}
	tests := []struct {
		name string
		q    session.IdleQuery
		want []string
	}{
		{name: "in progress and suspended before 30",
			q:    session.IdleQuery{Statuses: open2, Before: at(30)},
			want: append([]string{b.ID}, tie...)},
		{name: "limit", q: session.IdleQuery{Statuses: open2, Before: at(30), Limit: 2},
			want: []string{b.ID, tie[0]}},
		{name: "bound is exclusive", q: session.IdleQuery{Statuses: open2, Before: at(5)}},
		{name: "created", want: []string{c.ID},
			q: session.IdleQuery{Statuses: []session.Status{session.StatusCreated}, Before: at(60)}},
		{name: "no statuses", q: session.IdleQuery{Before: at(60)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			list, err := st.ListIdleSessions(ctx, tt.q)
			require.NoError(t, err)
			assert.Equal(t, tt.want, nilIfEmpty(sessionIDs(list)))
		})
	}
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}

	return s
}

var errRollback = errors.New("storetest: deliberate rollback")

func testTransactions(t *testing.T, open Opener) {
	ctx := context.Background()
	st := open(t)
	l := fixtureLearner("partner-a", "sub-1")
	s := fixtureSession("partner-a", l.ID, "acs-chest-pain", 1)
	tok := session.ConsumedToken{Issuer: "iss", TokenID: "jti", PartnerID: "partner-a",
		ExpiresAt: at(5), ConsumedAt: at(0)}

	write := func(tx session.Tx) error {
		if err := tx.ConsumeToken(ctx, tok); err != nil {
			return err
		}

		if _, err := tx.UpsertLearner(ctx, l); err != nil {
			return err
		}

		if err := tx.PutCohort(ctx, fixtureCohort("partner-a", "cohort-1")); err != nil {
			return err
		}

		return tx.InsertSession(ctx, s)
	}

	t.Run("Rollback", func(t *testing.T) {
		err := st.WithTx(ctx, func(tx session.Tx) error {
			if err := write(tx); err != nil {
				return err
			}

			got, err := tx.GetSession(ctx, "partner-a", s.ID)
			require.NoError(t, err, "a transaction reads its own writes")
			assert.Equal(t, s.ID, got.ID)
			return errRollback
		})
		require.ErrorIs(t, err, errRollback, "fn's error is returned")

		_, err = st.GetLearnerBySubject(ctx, "partner-a", "sub-1")
		require.ErrorIs(t, err, session.ErrNotFound)
		_, err = st.GetSession(ctx, "partner-a", s.ID)
		require.ErrorIs(t, err, session.ErrNotFound)
		_, err = st.GetCohort(ctx, "partner-a", "cohort-1")
		require.ErrorIs(t, err, session.ErrNotFound)
	})

	t.Run("Commit", func(t *testing.T) {
		require.NoError(t, st.WithTx(ctx, write))
		_, err := st.GetLearnerBySubject(ctx, "partner-a", "sub-1")
		require.NoError(t, err)
		_, err = st.GetSession(ctx, "partner-a", s.ID)
		require.NoError(t, err)
	})

	t.Run("ConstraintInsideTx", func(t *testing.T) {
		err := st.WithTx(ctx, func(tx session.Tx) error {
			return tx.ConsumeToken(ctx, tok)
		})
		require.Error(t, err)
		assert.True(t, errors.Is(err, launch.ErrReplayed))
	})
}

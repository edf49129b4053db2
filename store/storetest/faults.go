package storetest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/session"
)

// testFaults fails each store operation of a launch in turn: the launch
// fails with the fault, leaves no learner, session or assignment, and does
// not consume the token (the same launch succeeds once the fault is gone).
func testFaults(t *testing.T, open Opener) {
	ops := []string{
		"ConsumeToken", "GetCohort", "UpsertLearner", "ListAssignments", "GetCase",
		"LatestCaseVersion", "PutAssignment", "InsertSession",
	}
	for _, op := range ops {
		t.Run("Launch"+op, func(t *testing.T) {
			ctx := context.Background()
			fs := NewFaultStore(open(t))
			w := newWorld(t, fs)
			l := newLaunch("sub-1", "acs-chest-pain")

			fs.FailOn(op)
			_, err := w.svc.Launch(ctx, l)
			require.ErrorIs(t, err, ErrInjected)

			_, err = fs.GetLearnerBySubject(ctx, "partner-a", "sub-1")
			require.ErrorIs(t, err, session.ErrNotFound, "no learner")
			list, err := fs.ListAssignments(ctx, "partner-a", "cohort-1")
			require.NoError(t, err)
			assert.Empty(t, list, "no ad-hoc assignment")

			fs.FailOn("")
			res, err := w.svc.Launch(ctx, l)
			require.NoError(t, err, "token was not consumed")
			assert.Equal(t, []string{res.Session.ID}, learnerSessions(t, fs, "sub-1"))
		})
	}

	t.Run("LaunchListLearnerSessions", func(t *testing.T) { testReturningFault(t, open) })
	t.Run("Supersede", func(t *testing.T) { testSupersedeFault(t, open) })
	t.Run("Complete", func(t *testing.T) { testCompleteFault(t, open) })
}

// testReturningFault fails the read of a returning learner's sessions (a
// learner the launch has just created has none to read): the launch fails
// with the fault, creates no session and does not consume the token.
func testReturningFault(t *testing.T, open Opener) {
	ctx := context.Background()
	fs := NewFaultStore(open(t))
	w := newWorld(t, fs)
	_, err := fs.UpsertLearner(ctx, session.Learner{PartnerID: "partner-a", ID: "learner-returning",
		Subject: "sub-1", CreatedAt: at(0), LastSeenAt: at(0)})
	require.NoError(t, err)
	l := newLaunch("sub-1", "acs-chest-pain")

	fs.FailOn("ListLearnerSessions")
	_, err = w.svc.Launch(ctx, l)
	require.ErrorIs(t, err, ErrInjected)
	assert.Empty(t, learnerSessions(t, fs, "sub-1"), "no session")

	fs.FailOn("")
	res, err := w.svc.Launch(ctx, l)
	require.NoError(t, err, "token was not consumed")
	assert.Equal(t, "learner-returning", res.Learner.ID)
	assert.Equal(t, []string{res.Session.ID}, learnerSessions(t, fs, "sub-1"))
}

func testSupersedeFault(t *testing.T, open Opener) {
	ctx := context.Background()
	fs := NewFaultStore(open(t))
	w := newWorld(t, fs)
	a := withMax(0)
	a.Relaunch = session.RelaunchSupersede
	_, err := w.svc.PutAssignment(ctx, a)
	require.NoError(t, err)
	first, err := w.svc.Launch(ctx, newLaunch("sub-1", "acs-chest-pain"))
	require.NoError(t, err)

	fs.FailOn("InsertSession")
	_, err = w.svc.Launch(ctx, newLaunch("sub-1", "acs-chest-pain"))
	require.ErrorIs(t, err, ErrInjected)

	got, err := fs.GetSession(ctx, "partner-a", first.Session.ID)
	require.NoError(t, err)
	assert.Equal(t, normSession(first.Session), normSession(got), "superseding rolled back")
	assert.Equal(t, []string{first.Session.ID}, learnerSessions(t, fs, "sub-1"))
}

func testCompleteFault(t *testing.T, open Opener) {
	ctx := context.Background()
	fs := NewFaultStore(open(t))
	w := newWorld(t, fs)
	res, err := w.svc.Launch(ctx, newLaunch("sub-1", "acs-chest-pain"))
	require.NoError(t, err)
	started, err := w.svc.Start(ctx, "partner-a", res.Session.ID)
	require.NoError(t, err)

	fs.FailOn("UpdateSession")
	_, err = w.svc.Complete(ctx, "partner-a", started.ID, session.Completion{Input: ptr(caseAInput())})
	require.ErrorIs(t, err, ErrInjected)

	got, err := fs.GetSession(ctx, "partner-a", started.ID)
	require.NoError(t, err)
	assert.Equal(t, normSession(started), normSession(got))
}

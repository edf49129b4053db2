package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/launch"
	"github.com/virtualaipatient/integration/session"
)

func testRaces(t *testing.T, open Opener) {
	t.Run("Replay", func(t *testing.T) { testReplayRace(t, open) })
	t.Run("ConcurrentUpdates", func(t *testing.T) { testUpdateRace(t, open) })
	t.Run("AttemptNumbers", func(t *testing.T) { testAttemptRace(t, open) })
}

// testReplayRace sends one launch 50 times at once to two services sharing
// the store: exactly one session, 49 replay errors.
func testReplayRace(t *testing.T, open Opener) {
	ctx := context.Background()
	w := newWorld(t, open(t))
	services := []*session.Service{w.svc, w.service()}
	l := newLaunch("sub-1", "acs-chest-pain")

	const calls = 50
	errs := make([]error, calls)
	var wg sync.WaitGroup
	for i := range calls {
		wg.Go(func() {
			_, errs[i] = services[i%2].Launch(ctx, l)
		})
	}
	wg.Wait()

	ok, replayed := 0, 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, launch.ErrReplayed):
			replayed++
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}

	assert.Equal(t, 1, ok)
	assert.Equal(t, calls-1, replayed)
	assert.Len(t, learnerSessions(t, w.st, "sub-1"), 1)
}

// testUpdateRace records activity concurrently from two services: every
// change lands, none is lost.
func testUpdateRace(t *testing.T, open Opener) {
	ctx := context.Background()
	w := newWorld(t, open(t))
	services := []*session.Service{w.svc, w.service()}
	for _, svc := range services {
		svc.Retries = 100
	}

	res, err := w.svc.Launch(ctx, newLaunch("sub-1", "acs-chest-pain"))
	require.NoError(t, err)
	started, err := w.svc.Start(ctx, "partner-a", res.Session.ID)
	require.NoError(t, err)

	const calls = 20
	var wg sync.WaitGroup
	errs := make([]error, calls)
	for i := range calls {
		wg.Go(func() {
			_, errs[i] = services[i%2].RecordActivity(ctx, "partner-a", started.ID)
		})
	}
	wg.Wait()

	for _, err := range errs {
		require.NoError(t, err)
	}

	got, err := w.st.GetSession(ctx, "partner-a", started.ID)
	require.NoError(t, err)
	assert.Equal(t, started.Revision+calls, got.Revision)
}

// testAttemptRace launches one case for one learner with distinct tokens
// at once under the supersede rule: attempt numbers stay unique and one
// session stays open.
func testAttemptRace(t *testing.T, open Opener) {
	ctx := context.Background()
	w := newWorld(t, open(t))
	a := withMax(0)
	a.Relaunch = session.RelaunchSupersede
	_, err := w.svc.PutAssignment(ctx, a)
	require.NoError(t, err)
	services := []*session.Service{w.svc, w.service()}
	for _, svc := range services {
		svc.Retries = 100
	}

	const calls = 10
	var wg sync.WaitGroup
	errs := make([]error, calls)
	for i := range calls {
		wg.Go(func() {
			_, errs[i] = services[i%2].Launch(ctx, newLaunch("sub-1", "acs-chest-pain"))
		})
	}
	wg.Wait()

	for _, err := range errs {
		require.NoError(t, err)
	}

	learner, err := w.st.GetLearnerBySubject(ctx, "partner-a", "sub-1")
	require.NoError(t, err)
	list, err := w.st.ListLearnerSessions(ctx, "partner-a", learner.ID)
	require.NoError(t, err)
	require.Len(t, list, calls)

	attempts, open2 := map[int]bool{}, 0
	for _, ss := range list {
		attempts[ss.Attempt] = true
		if ss.Status.Open() {
			open2++
		}
	}

	assert.Len(t, attempts, calls, "attempt numbers are unique")
	assert.True(t, attempts[1] && attempts[calls], "attempts are 1..n")
	assert.Equal(t, 1, open2, "every other session was superseded")
}

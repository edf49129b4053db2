package sqlstoretest

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

// ReplayRace has two services, one on a and one on b (two handles on one
// database), receive the same launch token n times at once, alternating
// between them. Exactly one launch must succeed and create a session;
// every other must fail with launch.ErrReplayed.
func ReplayRace(t *testing.T, a, b session.Store, n int) {
	ctx := context.Background()
	Seed(t, a)
	services := []*session.Service{session.New(a), session.New(b)}
	l := NewLaunch(subject(1), "jti-race")

	var (
		wg            sync.WaitGroup
		mu            sync.Mutex
		wins, replays int
		others        []error
		winner        session.Session
		start         = make(chan struct{})
	)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			res, err := services[i%2].Launch(ctx, l)

			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				wins++
				winner = res.Session
			case errors.Is(err, launch.ErrReplayed):
				replays++
			default:
				others = append(others, err)
			}
		}()
	}
	close(start)
	wg.Wait()

	require.Empty(t, others, "every loser fails with the replay error")
	assert.Equal(t, 1, wins)
	assert.Equal(t, n-1, replays)

	for _, st := range []session.Store{a, b} {
		learner, err := st.GetLearnerBySubject(ctx, partnerID, l.Subject)
		require.NoError(t, err)
		list, err := st.ListLearnerSessions(ctx, partnerID, learner.ID)
		require.NoError(t, err)
		require.Len(t, list, 1, "exactly one session exists")
		assert.Equal(t, winner.ID, list[0].ID)
	}
}

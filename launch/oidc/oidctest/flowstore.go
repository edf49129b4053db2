package oidctest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/launch/oidc"
)

// base is the suite's clock; stored times are microsecond-precise UTC.
var base = time.Date(2030, 1, 2, 3, 4, 5, 123456000, time.UTC)

func flow(state string) oidc.Flow {
	return oidc.Flow{
		State: state, PartnerID: "partner-a", Nonce: "nonce-" + state,
		Verifier:  "verifier-" + state,
		Target:    oidc.Target{CohortID: "cohort-1", CaseID: "acs-chest-pain", CaseSetID: "core"},
		ExpiresAt: base.Add(10 * time.Minute),
	}
}

// RunFlowStore checks a FlowStore: round trip, single use, expiry,
// independent flows and concurrent takes. newStore returns an empty store.
func RunFlowStore(t *testing.T, newStore func(t *testing.T) oidc.FlowStore) {
	ctx := context.Background()
	tests := []struct {
		name  string
		save  []string
		take  string
		now   time.Time
		found bool
	}{
		{name: "round trip", save: []string{"s1"}, take: "s1", now: base, found: true},
		{name: "unknown state", save: []string{"s1"}, take: "s2", now: base},
		{name: "expired", save: []string{"s1"}, take: "s1", now: base.Add(10 * time.Minute)},
		{name: "one of several", save: []string{"s1", "s2", "s3"}, take: "s2", now: base,
			found: true},
		// The handler's keys join the state and the browser's binder.
		{name: "bound state", save: []string{"s1.binder-1"}, take: "s1.binder-1", now: base,
			found: true},
		{name: "state without its binder", save: []string{"s1.binder-1"}, take: "s1", now: base},
		{name: "state with another binder", save: []string{"s1.binder-1"}, take: "s1.binder-2",
			now: base},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := newStore(t)
			for _, s := range tt.save {
				require.NoError(t, st.SaveFlow(ctx, flow(s)))
			}

			got, err := st.TakeFlow(ctx, tt.take, tt.now)
			if !tt.found {
				assert.ErrorIs(t, err, oidc.ErrFlowNotFound)
				return
			}

			require.NoError(t, err)
			assert.Equal(t, flow(tt.take), got)
		})
	}

	t.Run("single use", func(t *testing.T) { singleUse(t, newStore(t)) })
	t.Run("concurrent takes", func(t *testing.T) { concurrentTakes(t, newStore(t)) })
}

func singleUse(t *testing.T, st oidc.FlowStore) {
	ctx := context.Background()
	require.NoError(t, st.SaveFlow(ctx, flow("a")))
	require.NoError(t, st.SaveFlow(ctx, flow("b")))

	_, err := st.TakeFlow(ctx, "a", base)
	require.NoError(t, err)

	_, err = st.TakeFlow(ctx, "a", base)
	assert.ErrorIs(t, err, oidc.ErrFlowNotFound)

	got, err := st.TakeFlow(ctx, "b", base)
	require.NoError(t, err, "taking one flow leaves the others")
	assert.Equal(t, "b", got.State)
}

func concurrentTakes(t *testing.T, st oidc.FlowStore) {
	ctx := context.Background()
	const flows, racers = 5, 8
	for i := range flows {
		require.NoError(t, st.SaveFlow(ctx, flow(fmt.Sprint("race-", i))))
	}

	var wins atomic.Int32
	var wg sync.WaitGroup
	for i := range flows * racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := st.TakeFlow(ctx, fmt.Sprint("race-", i%flows), base)
			if err == nil {
				wins.Add(1)
			} else {
				assert.ErrorIs(t, err, oidc.ErrFlowNotFound)
			}
		}()
	}

	wg.Wait()
	assert.Equal(t, int32(flows), wins.Load(), "each flow is taken exactly once")
}

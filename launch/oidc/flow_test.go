package oidc_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/launch/oidc"
	"github.com/virtualaipatient/integration/launch/oidc/oidctest"
)

func TestMemoryFlows(t *testing.T) {
	oidctest.RunFlowStore(t, func(*testing.T) oidc.FlowStore { return &oidc.MemoryFlows{} })
}

// TestMemoryFlowsCap checks that MemoryFlows keeps at most Max live
// flows: when full it drops expired flows first, replaces a flow of the
// same state, and otherwise refuses with ErrFlowStoreFull.
func TestMemoryFlowsCap(t *testing.T) {
	ctx := context.Background()
	clock := newFixedClock()
	start := clock.now()
	flow := func(state string, ttl time.Duration) oidc.Flow {
		return oidc.Flow{State: state, PartnerID: "p", Nonce: "n-" + state,
			ExpiresAt: start.Add(ttl)}
	}

	m := &oidc.MemoryFlows{Max: 3, Now: clock.now}
	for i, state := range []string{"a", "b", "c"} {
		require.NoError(t, m.SaveFlow(ctx, flow(state, time.Duration(i+1)*time.Minute)))
	}

	tests := []struct {
		name    string
		advance time.Duration
		save    oidc.Flow
		wantErr error
	}{
		{name: "full", save: flow("d", 10*time.Minute), wantErr: oidc.ErrFlowStoreFull},
		{name: "same state replaces", save: flow("b", 2*time.Minute)},
		{name: "just before an expiry", advance: time.Minute - time.Nanosecond,
			save: flow("d", 10*time.Minute), wantErr: oidc.ErrFlowStoreFull},
		{name: "an expired flow makes room", advance: time.Nanosecond,
			save: flow("d", 10*time.Minute)},
		{name: "full again", save: flow("e", 10*time.Minute),
			wantErr: oidc.ErrFlowStoreFull},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock.advance(tt.advance)
			err := m.SaveFlow(ctx, tt.save)
			if tt.wantErr == nil {
				assert.NoError(t, err)
				return
			}

			assert.ErrorIs(t, err, tt.wantErr)
			assert.Equal(t, "flow_store_full", oidc.Code(err))
		})
	}

	now := clock.now()
	for state, found := range map[string]bool{"a": false, "b": true, "c": true, "d": true,
		"e": false} {
		_, err := m.TakeFlow(ctx, state, now)
		if found {
			assert.NoError(t, err, state)
		} else {
			assert.ErrorIs(t, err, oidc.ErrFlowNotFound, state)
		}
	}
}

// TestMemoryFlowsDefaultCap fills a zero MemoryFlows with live flows.
func TestMemoryFlowsDefaultCap(t *testing.T) {
	ctx := context.Background()
	m := &oidc.MemoryFlows{}
	expires := time.Now().Add(time.Hour)
	for i := range oidc.DefaultMaxMemoryFlows {
		err := m.SaveFlow(ctx, oidc.Flow{State: fmt.Sprint(i), ExpiresAt: expires})
		require.NoError(t, err)
	}

	err := m.SaveFlow(ctx, oidc.Flow{State: "one too many", ExpiresAt: expires})
	assert.ErrorIs(t, err, oidc.ErrFlowStoreFull)
}

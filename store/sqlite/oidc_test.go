package sqlite_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/launch/oidc"
	"github.com/virtualaipatient/integration/launch/oidc/oidctest"
	"github.com/virtualaipatient/integration/store/sqlite"
)

func openFlows(t *testing.T) *sqlite.Store {
	st, err := sqlite.Open(context.Background(), newPath(t), sqlite.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })

	return st
}

func TestFlowStoreConformance(t *testing.T) {
	oidctest.RunFlowStore(t, func(t *testing.T) oidc.FlowStore { return openFlows(t) })
}

func TestPurgeFlows(t *testing.T) {
	ctx := context.Background()
	st := openFlows(t)
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	for i, exp := range []time.Duration{-time.Minute, time.Minute} {
		f := oidc.Flow{State: string(rune('a' + i)), PartnerID: "p", ExpiresAt: now.Add(exp)}
		require.NoError(t, st.SaveFlow(ctx, f))
	}

	n, err := st.PurgeFlows(ctx, now)
	require.NoError(t, err)
	assert.Equal(t, 1, n)

	_, err = st.TakeFlow(ctx, "b", now)
	assert.NoError(t, err, "the live flow survives the purge")
}

package postgres_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/internal/testenv"
	"github.com/virtualaipatient/integration/store/postgres"
	"github.com/virtualaipatient/integration/store/storetest"
)

func openOutbox(t *testing.T, dsn, schema string) storetest.OutboxStore {
	t.Helper()
	st, err := postgres.Open(context.Background(), dsn, postgres.Options{Schema: schema})
	require.NoError(t, err)
	t.Cleanup(st.Close)

	return st
}

func TestOutboxConformance(t *testing.T) {
	dsn := testenv.PostgresDSN(t)
	storetest.RunOutbox(t, func(t *testing.T) storetest.OutboxStore {
		return openOutbox(t, dsn, newSchema(t, dsn))
	})
}

// TestOutboxClaimRaceTwoPools claims one schema's events through two pools
// (SELECT … FOR UPDATE SKIP LOCKED), as two dispatcher processes would.
func TestOutboxClaimRaceTwoPools(t *testing.T) {
	dsn := testenv.PostgresDSN(t)
	schema := newSchema(t, dsn)
	storetest.ClaimRace(t, openOutbox(t, dsn, schema), openOutbox(t, dsn, schema))
}

// TestOutboxReleaseRaceTwoPools claims and gives back one schema's events
// through two pools, as two dispatcher processes would.
func TestOutboxReleaseRaceTwoPools(t *testing.T) {
	dsn := testenv.PostgresDSN(t)
	schema := newSchema(t, dsn)
	storetest.ReleaseRace(t, openOutbox(t, dsn, schema), openOutbox(t, dsn, schema))
}

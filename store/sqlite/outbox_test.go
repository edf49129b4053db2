package sqlite_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/store/sqlite"
	"github.com/virtualaipatient/integration/store/storetest"
)

func openOutbox(t *testing.T, path string) storetest.OutboxStore {
	t.Helper()
	st, err := sqlite.Open(context.Background(), path, sqlite.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })

	return st
}

func TestOutboxConformance(t *testing.T) {
	storetest.RunOutbox(t, func(t *testing.T) storetest.OutboxStore {
		return openOutbox(t, newPath(t))
	})
}

// TestOutboxClaimRaceTwoHandles claims one file's events through two
// handles, as two dispatcher processes would.
func TestOutboxClaimRaceTwoHandles(t *testing.T) {
	path := newPath(t)
	storetest.ClaimRace(t, openOutbox(t, path), openOutbox(t, path))
}

// TestOutboxReleaseRaceTwoHandles claims and gives back one file's events
// through two handles, as two dispatcher processes would.
func TestOutboxReleaseRaceTwoHandles(t *testing.T) {
	path := newPath(t)
	storetest.ReleaseRace(t, openOutbox(t, path), openOutbox(t, path))
}

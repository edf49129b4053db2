package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/internal/sqlstore/sqlstoretest"
	"github.com/virtualaipatient/integration/session"
	"github.com/virtualaipatient/integration/store/sqlite"
	"github.com/virtualaipatient/integration/store/storetest"
)

// openFile opens a store on the file and closes it when the test ends.
func openFile(t testing.TB, path string) session.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), path, sqlite.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })

	return st
}

func newPath(t testing.TB) string {
	return filepath.Join(t.TempDir(), "vap.db")
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) session.Store {
		return openFile(t, newPath(t))
	})
}

// TestReplayRaceTwoHandles opens one file twice, as two service instances
// sharing it would, and races one launch token 50 times across them.
func TestReplayRaceTwoHandles(t *testing.T) {
	path := newPath(t)
	sqlstoretest.ReplayRace(t, openFile(t, path), openFile(t, path), 50)
}

func TestFailMidLaunch(t *testing.T) {
	sqlstoretest.FailMidLaunch(t, openFile(t, newPath(t)))
}

// TestCrash kills a process launching sessions into a file with SIGKILL
// and checks that every launch it reported is stored intact.
func TestCrash(t *testing.T) {
	sqlstoretest.Crash(t, newPath(t), openFile)
}

func TestOpen(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name    string
		path    string
		wantErr error
	}{
		{name: "new file", path: filepath.Join(dir, "a.db")},
		{name: "reopened file is migrated once", path: filepath.Join(dir, "a.db")},
		{name: "memory", path: ":memory:"},
		{name: "empty path", path: "", wantErr: sqlite.ErrPath},
		{name: "query in path", path: filepath.Join(dir, "b.db?mode=ro"),
			wantErr: sqlite.ErrPath},
		{name: "directory", path: dir, wantErr: sqlite.ErrMigration},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := sqlite.Open(context.Background(), tt.path, sqlite.Options{})
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				return
			}

			require.NoError(t, err)
			defer func() { assert.NoError(t, st.Close()) }()
			_, err = st.GetCase(context.Background(), "missing")
			assert.ErrorIs(t, err, session.ErrNotFound)
		})
	}
}

func BenchmarkLaunch(b *testing.B) {
	sqlstoretest.BenchmarkLaunch(b, openFile(b, filepath.Join(b.TempDir(), "vap.db")))
}

func BenchmarkLaunchParallel(b *testing.B) {
	sqlstoretest.BenchmarkLaunchParallel(b, openFile(b, filepath.Join(b.TempDir(), "vap.db")))
}

func TestReportingConformance(t *testing.T) {
	storetest.RunReporting(t, func(t *testing.T, now func() time.Time) storetest.ReportingStore {
		st, err := sqlite.Open(context.Background(), newPath(t), sqlite.Options{Now: now})
		require.NoError(t, err)
		t.Cleanup(func() { _ = st.Close() })

		return st
	})
}

// TestSharedCodes issues and redeems one-time codes through two handles
// on one file.
func TestSharedCodes(t *testing.T) {
	path := newPath(t)
	a, b := openFile(t, path), openFile(t, path)
	sqlstoretest.SharedCodes(t, a.(*sqlite.Store), b.(*sqlite.Store), 20)
}

// BenchmarkHandlerLaunch is POST /launch through the full reporting
// handler on SQLite, one-time codes kept in the database.
func BenchmarkHandlerLaunch(b *testing.B) {
	sqlstoretest.BenchmarkHandlerLaunch(b, openFile(b, newPath(b)).(*sqlite.Store))
}

// BenchmarkHandlerSummary is GET /sessions/{id} through the full handler
// on SQLite.
func BenchmarkHandlerSummary(b *testing.B) {
	sqlstoretest.BenchmarkHandlerSummary(b, openFile(b, newPath(b)).(*sqlite.Store))
}

// BenchmarkHandlerSessionPage is GET /sessions?limit=100 through the full
// handler on SQLite.
func BenchmarkHandlerSessionPage(b *testing.B) {
	sqlstoretest.BenchmarkHandlerSessionPage(b, openFile(b, newPath(b)).(*sqlite.Store))
}

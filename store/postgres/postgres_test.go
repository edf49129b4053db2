package postgres_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/internal/sqlstore/sqlstoretest"
	"github.com/virtualaipatient/integration/internal/testenv"
	"github.com/virtualaipatient/integration/session"
	"github.com/virtualaipatient/integration/store/memory"
	"github.com/virtualaipatient/integration/store/postgres"
	"github.com/virtualaipatient/integration/store/sqlite"
	"github.com/virtualaipatient/integration/store/storetest"
)

// newSchema returns a random schema name and drops that schema when the
// test ends.
func newSchema(t testing.TB, dsn string) string {
	t.Helper()
	schema := "vap_test_" + strings.ReplaceAll(uuid.NewString(), "-", "")[:16]
	t.Cleanup(func() {
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Errorf("drop schema: %v", err)
			return
		}
		defer func() { _ = conn.Close(ctx) }()

		_, err = conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+schema+" CASCADE")
		if err != nil {
			t.Errorf("drop schema: %v", err)
		}
	})

	return schema
}

// openSchema opens a store on the schema and closes it when the test ends
// (before the schema is dropped).
func openSchema(t testing.TB, dsn, schema string) session.Store {
	t.Helper()
	st, err := postgres.Open(context.Background(), dsn, postgres.Options{Schema: schema})
	require.NoError(t, err)
	t.Cleanup(st.Close)

	return st
}

func TestConformance(t *testing.T) {
	dsn := testenv.PostgresDSN(t)
	storetest.Run(t, func(t *testing.T) session.Store {
		return openSchema(t, dsn, newSchema(t, dsn))
	})
}

// TestReplayRaceTwoPools races one launch token 50 times across two
// stores (two pools) on one schema, as two service instances would.
func TestReplayRaceTwoPools(t *testing.T) {
	dsn := testenv.PostgresDSN(t)
	schema := newSchema(t, dsn)
	sqlstoretest.ReplayRace(t, openSchema(t, dsn, schema), openSchema(t, dsn, schema), 50)
}

func TestFailMidLaunch(t *testing.T) {
	dsn := testenv.PostgresDSN(t)
	sqlstoretest.FailMidLaunch(t, openSchema(t, dsn, newSchema(t, dsn)))
}

// TestCrash kills a process launching sessions with SIGKILL and checks
// that every launch it reported is stored intact.
func TestCrash(t *testing.T) {
	dsn := testenv.PostgresDSN(t)
	schema := "crash"
	if os.Getenv(sqlstoretest.CrashEnv) == "" {
		schema = newSchema(t, dsn)
	}

	sqlstoretest.Crash(t, schema, func(t testing.TB, schema string) session.Store {
		return openSchema(t, dsn, schema)
	})
}

// TestConcurrentOpen opens one new schema from several goroutines at once:
// the advisory lock makes one of them migrate and the others wait.
func TestConcurrentOpen(t *testing.T) {
	dsn := testenv.PostgresDSN(t)
	schema := newSchema(t, dsn)
	const n = 4
	errs := make(chan error, n)
	for range n {
		go func() {
			st, err := postgres.Open(context.Background(), dsn, postgres.Options{Schema: schema})
			if err == nil {
				st.Close()
			}
			errs <- err
		}()
	}

	for range n {
		assert.NoError(t, <-errs)
	}
}

func TestOpenErrors(t *testing.T) {
	dsn := testenv.PostgresDSN(t)
	tests := []struct {
		name    string
		dsn     string
		opts    postgres.Options
		wantErr error
	}{
		{name: "schema with quote", dsn: dsn, opts: postgres.Options{Schema: `a"b`},
			wantErr: postgres.ErrSchema},
		{name: "schema with capital", dsn: dsn, opts: postgres.Options{Schema: "Vap"},
			wantErr: postgres.ErrSchema},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := postgres.Open(context.Background(), tt.dsn, tt.opts)
			require.ErrorIs(t, err, tt.wantErr)
		})
	}
}

func BenchmarkLaunch(b *testing.B) {
	dsn := testenv.PostgresDSN(b)
	sqlstoretest.BenchmarkLaunch(b, openSchema(b, dsn, newSchema(b, dsn)))
}

func BenchmarkLaunchParallel(b *testing.B) {
	dsn := testenv.PostgresDSN(b)
	sqlstoretest.BenchmarkLaunchParallel(b, openSchema(b, dsn, newSchema(b, dsn)))
}

func TestReportingConformance(t *testing.T) {
	dsn := testenv.PostgresDSN(t)
	storetest.RunReporting(t, func(t *testing.T, now func() time.Time) storetest.ReportingStore {
		st, err := postgres.Open(context.Background(), dsn,
			postgres.Options{Schema: newSchema(t, dsn), Now: now})
		require.NoError(t, err)
		t.Cleanup(st.Close)

		return st
	})
}

// TestSharedCodes issues and redeems one-time codes through two pools on
// one schema.
func TestSharedCodes(t *testing.T) {
	dsn := testenv.PostgresDSN(t)
	schema := newSchema(t, dsn)
	a, b := openSchema(t, dsn, schema), openSchema(t, dsn, schema)
	sqlstoretest.SharedCodes(t, a.(*postgres.Store), b.(*postgres.Store), 20)
}

// TestAnalyticsAcrossAdapters loads one dataset into the memory store,
// SQLite and PostgreSQL and checks that every query gives the same report
// in all three.
func TestAnalyticsAcrossAdapters(t *testing.T) {
	ctx := context.Background()
	dsn := testenv.PostgresDSN(t)
	pg, err := postgres.Open(ctx, dsn, postgres.Options{Schema: newSchema(t, dsn)})
	require.NoError(t, err)
	t.Cleanup(pg.Close)

	lite, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "vap.db"), sqlite.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = lite.Close() })

	mem := memory.New()
	stores := []storetest.ReportingStore{mem, lite, pg}
	for _, st := range stores {
		require.NoError(t, storetest.LoadAnalyticsDataset(ctx, st))
	}

	for _, tc := range storetest.AnalyticsCases() {
		t.Run(tc.Name, func(t *testing.T) {
			want, err := mem.CohortAnalytics(ctx, storetest.AnalyticsPartner, tc.Query)
			require.NoError(t, err)
			for _, st := range stores[1:] {
				got, err := st.CohortAnalytics(ctx, storetest.AnalyticsPartner, tc.Query)
				require.NoError(t, err)
				assert.Equal(t, want, got)
			}
		})
	}
}

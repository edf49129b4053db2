package webhook_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/internal/testenv"
	"github.com/virtualaipatient/integration/reporting/webhook"
	"github.com/virtualaipatient/integration/store/postgres"
)

// openPostgres opens a store on a new schema, dropped when the test ends.
func openPostgres(t *testing.T, dsn, schema string) *postgres.Store {
	t.Helper()
	ctx := context.Background()
	st, err := postgres.Open(ctx, dsn, postgres.Options{Schema: schema})
	require.NoError(t, err)
	t.Cleanup(st.Close)

	return st
}

func dropSchema(t *testing.T, dsn, schema string) {
	t.Cleanup(func() {
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Errorf("drop schema: %v", err)
			return
		}
		defer func() { _ = conn.Close(ctx) }()

		_, err = conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+schema+" CASCADE")
		assert.NoError(t, err)
	})
}

// TestTwoDispatchersPostgres runs two dispatchers, each on its own pool,
// against one PostgreSQL schema. The receiver counts attempts of one event
// in flight at once: there must never be two, and every event must arrive
// exactly once, in order per session.
func TestTwoDispatchersPostgres(t *testing.T) {
	dsn := testenv.PostgresDSN(t)
	schema := "vap_webhook_" + strings.ReplaceAll(uuid.NewString(), "-", "")[:12]
	dropSchema(t, dsn, schema)
	stA, stB := openPostgres(t, dsn, schema), openPostgres(t, dsn, schema)

	clock := &fakeClock{now: time.Now().UTC()}
	w := newWorld(t, stA, clock)
	want := map[string][]string{}
	for i := range 10 {
		want[w.session(fmt.Sprintf("sub-%d", i))] = wantPerSession
	}

	r := newReceiver(t, time.Now, secretOld)
	r.delay = 2 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for i, st := range []*postgres.Store{stA, stB} {
		d := newDispatcher(t, st, r, &fakeClock{now: time.Now()}, func(c *webhook.Config) {
			c.Now, c.Owner = time.Now, fmt.Sprintf("dispatcher-%d", i)
			c.PollInterval, c.BatchSize, c.Concurrency = time.Millisecond, 8, 4
		})
		wg.Go(func() { _ = d.Run(ctx) })
	}

	require.Eventually(t, func() bool { return len(distinct(r.accepted())) == 40 },
		30*time.Second, 5*time.Millisecond)
	cancel()
	wg.Wait()

	r.mu.Lock()
	overlaps := r.overlaps
	r.mu.Unlock()
	assert.Zero(t, overlaps, "no event in flight twice at once")
	assert.Len(t, r.snapshot(), 40, "each event sent once")
	assert.Equal(t, want, bySession(r.accepted()))
	for _, a := range r.snapshot() {
		assert.NoError(t, a.verifyErr)
	}
}

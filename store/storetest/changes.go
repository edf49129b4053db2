package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/reporting"
	"github.com/virtualaipatient/integration/session"
)

// testChangesLeaveOut checks that the change listing leaves out previews
// unless asked for them, and anonymised sessions always.
func testChangesLeaveOut(t *testing.T, open ReportingOpener) {
	ctx := context.Background()
	clk := &testClock{t: at(1)}
	st := open(t, clk.now)

	learner := changeSession("s-learner", "p1", "c1", 1)
	preview := changeSession("s-preview", "p1", "c1", 2)
	preview.Preview = true
	anonymous := changeSession("s-anonymous", "p1", "c1", 3)
	anonymous.PartnerUserID, anonymous.LearnerID = "", "tombstone-1"
	for _, s := range []session.Session{learner, preview, anonymous} {
		require.NoError(t, st.InsertSession(ctx, s))
	}

	tests := []struct {
		name     string
		previews bool
		want     []string
	}{
		{name: "previews left out by default", want: []string{"s-learner"}},
		{name: "previews on request", previews: true, want: []string{"s-learner", "s-preview"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := st.ListChangedSessions(ctx, "p1", reporting.ChangeQuery{
				CohortID: "c1", Before: at(1000), IncludePreviews: tt.previews, Limit: 10})
			require.NoError(t, err)
			var ids []string
			for _, c := range got {
				ids = append(ids, c.Session.ID)
			}
			assert.Equal(t, tt.want, ids)
		})
	}
}

// Sizes of testChangesUnderWrites.
const (
	pagingSessions = 24
	pagingWriters  = 4
	pagingUpdates  = 40 // per writer
	pagingLimit    = 5
	pagingSettle   = 250 * time.Millisecond
)

// testChangesUnderWrites pages through the change listing with the cursor
// while several writers update sessions concurrently, each transaction
// lingering a little before it commits, and checks that the reader saw the
// latest revision of every session: paging by (change time, id) with the
// settle window skips none. The store keeps its default clock (the
// database's, for a shared one), as in production.
func testChangesUnderWrites(t *testing.T, open ReportingOpener) {
	ctx := context.Background()
	st := open(t, nil)

	final := make(map[string]int64, pagingSessions)
	for i := range pagingSessions {
		s := changeSession(fmt.Sprintf("s-%02d", i), "p1", "c1", i+1)
		require.NoError(t, st.InsertSession(ctx, s))
		final[s.ID] = s.Revision
	}

	var wg sync.WaitGroup
	done := make(chan struct{})
	errs := make(chan error, pagingWriters)
	var mu sync.Mutex
	for w := range pagingWriters {
		wg.Go(func() {
			if err := pagingWriter(ctx, st, w, final, &mu); err != nil {
				errs <- err
			}
		})
	}

	go func() {
		wg.Wait()
		close(done)
	}()

	seen := pageUntilSettled(t, st, done)
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}

	for id, rev := range final {
		assert.Equal(t, rev, seen[id], "latest revision of %s seen", id)
	}
}

// pagingWriter updates the sessions of writer w (every pagingWriters-th),
// recording each committed revision in final.
func pagingWriter(ctx context.Context, st ReportingStore, w int, final map[string]int64,
	mu *sync.Mutex) error {
	rng := rand.New(rand.NewPCG(uint64(w), 7))
	for n := range pagingUpdates {
		id := fmt.Sprintf("s-%02d", w+pagingWriters*(n%(pagingSessions/pagingWriters)))
		var rev int64
		err := st.WithTx(ctx, func(tx session.Tx) error {
			cur, err := tx.GetSession(ctx, "p1", id)
			if err != nil {
				return err
			}

			next := cur
			next.Revision = cur.Revision + 1
			next.LastActivityAt = cur.LastActivityAt.Add(time.Second)
			if err := tx.UpdateSession(ctx, next, cur.Revision); err != nil {
				return err
			}

			// Linger before the commit, so that a later transaction may
			// commit first.
			time.Sleep(time.Duration(rng.IntN(15)) * time.Millisecond)
			rev = next.Revision
			return nil
		})
		if err != nil {
			return fmt.Errorf("writer %d: %w", w, err)
		}

		mu.Lock()
		final[id] = rev
		mu.Unlock()
	}

	return nil
}

// pageUntilSettled pages as a partner's sync does (cursor, settle window)
// until the writers are done and a last page after the settle window is
// empty, and returns the highest revision seen per session.
func pageUntilSettled(t *testing.T, st ReportingStore,
	done <-chan struct{}) map[string]int64 {
	t.Helper()
	ctx := context.Background()
	seen := map[string]int64{}
	var after *reporting.ChangePosition
	finished := false
	for {
		q := reporting.ChangeQuery{CohortID: "c1", After: after, Limit: pagingLimit,
			Before: time.Now().Add(-pagingSettle), Settle: pagingSettle}
		page, err := st.ListChangedSessions(ctx, "p1", q)
		require.NoError(t, err)
		for _, c := range page {
			seen[c.Session.ID] = max(seen[c.Session.ID], c.Session.Revision)
			after = &reporting.ChangePosition{ChangedAt: c.ChangedAt, SessionID: c.Session.ID}
		}

		if len(page) == pagingLimit {
			continue
		}

		if finished {
			return seen
		}

		select {
		case <-done:
			// Every write is committed: one more pass once they are all
			// older than the settle window.
			time.Sleep(pagingSettle + 50*time.Millisecond)
			finished = true
		case <-time.After(10 * time.Millisecond):
		}
	}
}

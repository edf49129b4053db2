package storetest

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/reporting"
	"github.com/virtualaipatient/integration/session"
)

// ReportingStore is a store with the capabilities the reporting API reads.
type ReportingStore interface {
	session.Store
	reporting.ChangeLister
	reporting.Catalog
	reporting.AnalyticsSource
}

// ReportingOpener returns a new, empty store whose session change times
// come from now, or from the store's default clock when now is nil. It
// registers any cleanup with t.Cleanup.
type ReportingOpener func(t *testing.T, now func() time.Time) ReportingStore

// RunReporting runs the reporting conformance: changed-session listing
// (order, cursor, window, cohort and partner scoping, previews and
// anonymised sessions left out, paging while writers commit out of order),
// the catalog lists, and cohort analytics over [AnalyticsDataset], which
// must equal [ReferenceReport] (analytics.Compute) for every query of
// [AnalyticsCases].
func RunReporting(t *testing.T, open ReportingOpener) {
	t.Helper()
	t.Run("ChangedSessions", func(t *testing.T) { testChangedSessions(t, open) })
	t.Run("ChangesLeaveOut", func(t *testing.T) { testChangesLeaveOut(t, open) })
	t.Run("ChangesUnderWrites", func(t *testing.T) { testChangesUnderWrites(t, open) })
	t.Run("CatalogLists", func(t *testing.T) { testCatalogLists(t, open) })
	t.Run("Analytics", func(t *testing.T) { testAnalytics(t, open) })
}

// testClock is a settable clock.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()

	return c.t
}

func (c *testClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()

	c.t = t
}

func changeSession(id, partner, cohort string, attempt int) session.Session {
	s := AnalyticsDataset()[0]
	s.ID, s.PartnerID, s.CohortID, s.Attempt = id, partner, cohort, attempt

	return s
}

func testChangedSessions(t *testing.T, open ReportingOpener) {
	ctx := context.Background()
	clk := &testClock{t: at(0)}
	st := open(t, clk.now)

	// s-b and s-a change at minute 1 (same time: ordered by id), s-c at 2,
	// s-a again at 3; s-x is another partner's, s-o another cohort's.
	clk.set(at(1))
	for i, id := range []string{"s-b", "s-a"} {
		require.NoError(t, st.InsertSession(ctx, changeSession(id, "p1", "c1", i+1)))
	}

	require.NoError(t, st.InsertSession(ctx, changeSession("s-x", "p2", "c1", 1)))
	clk.set(at(2))
	require.NoError(t, st.InsertSession(ctx, changeSession("s-c", "p1", "c1", 3)))
	require.NoError(t, st.InsertSession(ctx, changeSession("s-o", "p1", "c2", 4)))
	clk.set(at(3))
	upd := changeSession("s-a", "p1", "c1", 2)
	upd.Revision = 2
	require.NoError(t, st.WithTx(ctx, func(tx session.Tx) error {
		return tx.UpdateSession(ctx, upd, 1)
	}))

	far := at(1000)
	tests := []struct {
		name    string
		partner string
		q       reporting.ChangeQuery
		want    []string
	}{
		{name: "all of p1", partner: "p1", q: reporting.ChangeQuery{Before: far, Limit: 10},
			want: []string{"s-b", "s-c", "s-o", "s-a"}},
		{name: "cohort", partner: "p1", want: []string{"s-b", "s-c", "s-a"},
			q: reporting.ChangeQuery{CohortID: "c1", Before: far, Limit: 10}},
		{name: "limit", partner: "p1", want: []string{"s-b", "s-c"},
			q: reporting.ChangeQuery{CohortID: "c1", Before: far, Limit: 2}},
		{name: "since inclusive", partner: "p1", want: []string{"s-c", "s-a"},
			q: reporting.ChangeQuery{CohortID: "c1", Since: at(2), Before: far, Limit: 10}},
		{name: "before exclusive", partner: "p1", want: []string{"s-b", "s-c"},
			q: reporting.ChangeQuery{CohortID: "c1", Before: at(3), Limit: 10}},
		{name: "after same time", partner: "p1", want: []string{"s-c", "s-a"},
			q: reporting.ChangeQuery{CohortID: "c1", Before: far, Limit: 10,
				After: &reporting.ChangePosition{ChangedAt: at(1), SessionID: "s-b"}}},
		{name: "after id", partner: "p1", want: []string{"s-o", "s-a"},
			q: reporting.ChangeQuery{Before: far, Limit: 10,
				After: &reporting.ChangePosition{ChangedAt: at(2), SessionID: "s-c"}}},
		{name: "other partner", partner: "p2", want: []string{"s-x"},
			q: reporting.ChangeQuery{Before: far, Limit: 10}},
		{name: "unknown cohort", partner: "p1",
			q: reporting.ChangeQuery{CohortID: "nope", Before: far, Limit: 10}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := st.ListChangedSessions(ctx, tt.partner, tt.q)
			require.NoError(t, err)
			var ids []string
			for _, c := range got {
				assert.Equal(t, tt.partner, c.Session.PartnerID)
				ids = append(ids, c.Session.ID)
			}
			assert.Equal(t, tt.want, ids)
		})
	}

	got, err := st.ListChangedSessions(ctx, "p1", reporting.ChangeQuery{CohortID: "c1",
		Since: at(3), Before: far, Limit: 1})
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, at(3), got[0].ChangedAt, "change time of the update")
	assert.Equal(t, int64(2), got[0].Session.Revision)
}

func testCatalogLists(t *testing.T, open ReportingOpener) {
	ctx := context.Background()
	st := open(t, time.Now)
	cases, err := st.ListCases(ctx)
	require.NoError(t, err)
	assert.Empty(t, cases)

	for _, id := range []string{"case-b", "case-c", "case-a"} {
		require.NoError(t, st.PutCase(ctx, fixtureCase(id)))
		require.NoError(t, st.PutCaseSet(ctx, fixtureCaseSet("set-"+id, id)))
	}

	cases, err = st.ListCases(ctx)
	require.NoError(t, err)
	require.Len(t, cases, 3)
	assert.Equal(t, fixtureCase("case-a"), cases[0])
	assert.Equal(t, "case-c", cases[2].ID)

	sets, err := st.ListCaseSets(ctx)
	require.NoError(t, err)
	require.Len(t, sets, 3)
	assert.Equal(t, fixtureCaseSet("set-case-a", "case-a"), sets[0])
	assert.Equal(t, "set-case-c", sets[2].ID)
}

func testAnalytics(t *testing.T, open ReportingOpener) {
	ctx := context.Background()
	st := open(t, time.Now)
	require.NoError(t, LoadAnalyticsDataset(ctx, st))

	rich, err := ReferenceReport(AnalyticsCases()[1].Query)
	require.NoError(t, err)
	require.NotNil(t, rich.Scores.Reporting.P90.Value, "the dataset shows percentiles")
	require.NotEmpty(t, rich.Errors.Top, "the dataset shows top errors")
	// The means stay suppressed here: with one distribution cell hidden, a
	// mean would give it away.
	require.NotNil(t, rich.Attempts.ToFirstPass.Max.Value, "the dataset shows attempts")

	for _, tc := range AnalyticsCases() {
		t.Run(tc.Name, func(t *testing.T) {
			want, err := ReferenceReport(tc.Query)
			require.NoError(t, err)

			got, err := st.CohortAnalytics(ctx, AnalyticsPartner, tc.Query)
			require.NoError(t, err)
			assert.Equal(t, want, got)
			assertSameJSON(t, want, got)
		})
	}
}

// assertSameJSON compares the wire forms, which partners see.
func assertSameJSON(t *testing.T, want, got any) {
	t.Helper()
	w, err := json.Marshal(want)
	require.NoError(t, err)
	g, err := json.Marshal(got)
	require.NoError(t, err)
	assert.JSONEq(t, string(w), string(g))
}

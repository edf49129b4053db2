package analyticstest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/reporting/analytics"
	"github.com/virtualaipatient/integration/session"
)

// Source is a store that holds sessions and computes cohort analytics.
type Source interface {
	// InsertSession stores a new session.
	InsertSession(ctx context.Context, s session.Session) error
	// CohortAnalytics reports q over the partner's sessions.
	CohortAnalytics(ctx context.Context, partnerID string, q analytics.Query) (
		analytics.Report, error)
}

// Cohorts returns the audit [Scenarios] and n [Random] cohorts.
func Cohorts(n int) []Cohort {
	out := Scenarios()
	for seed := range n {
		out = append(out, Random(uint64(seed)))
	}

	return out
}

// CheckSource loads the cohorts' sessions into st, then checks for each
// cohort that st reports exactly what analytics.Compute does and that
// the report leaks no small group ([Check]).
func CheckSource(t *testing.T, st Source, cohorts []Cohort) {
	t.Helper()
	ctx := context.Background()
	for _, c := range cohorts {
		for _, s := range c.Sessions {
			require.NoError(t, st.InsertSession(ctx, s))
		}
	}

	for _, c := range cohorts {
		t.Run(c.Name, func(t *testing.T) {
			q, tally, err := analytics.Prepare(c.Query, c.Facts())
			require.NoError(t, err)
			want, err := analytics.Finish(q, tally)
			require.NoError(t, err)

			got, err := st.CohortAnalytics(ctx, Partner, c.Query)
			require.NoError(t, err)
			assert.Equal(t, want, got)
			Check(t, q, tally, got)
		})
	}
}

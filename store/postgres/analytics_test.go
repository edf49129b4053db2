package postgres_test

import (
	"testing"

	"github.com/virtualaipatient/integration/internal/testenv"
	"github.com/virtualaipatient/integration/reporting/analytics/analyticstest"
)

// TestAnalyticsSuppression checks small-cell suppression on the audit
// scenarios and random cohorts through PostgreSQL's SQL aggregates, which
// must give the reports of analytics.Compute.
func TestAnalyticsSuppression(t *testing.T) {
	dsn := testenv.PostgresDSN(t)
	n := 50
	if testing.Short() {
		n = 10
	}

	st := openSchema(t, dsn, newSchema(t, dsn)).(analyticstest.Source)
	analyticstest.CheckSource(t, st, analyticstest.Cohorts(n))
}

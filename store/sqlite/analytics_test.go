package sqlite_test

import (
	"testing"

	"github.com/virtualaipatient/integration/reporting/analytics/analyticstest"
)

// TestAnalyticsSuppression checks small-cell suppression on the audit
// scenarios and random cohorts through SQLite's SQL aggregates, which
// must give the reports of analytics.Compute.
func TestAnalyticsSuppression(t *testing.T) {
	n := 50
	if testing.Short() {
		n = 10
	}

	st := openFile(t, newPath(t)).(analyticstest.Source)
	analyticstest.CheckSource(t, st, analyticstest.Cohorts(n))
}

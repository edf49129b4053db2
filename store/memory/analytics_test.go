package memory_test

import (
	"testing"

	"github.com/virtualaipatient/integration/reporting/analytics/analyticstest"
	"github.com/virtualaipatient/integration/store/memory"
)

// TestAnalyticsSuppression checks small-cell suppression on the audit
// scenarios and random cohorts through the memory store.
func TestAnalyticsSuppression(t *testing.T) {
	n := 50
	if testing.Short() {
		n = 10
	}

	analyticstest.CheckSource(t, memory.New(), analyticstest.Cohorts(n))
}

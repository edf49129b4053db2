package analytics_test

import (
	"fmt"
	"testing"

	"github.com/virtualaipatient/integration/reporting/analytics"
	"github.com/virtualaipatient/integration/scoring"
)

// BenchmarkCompute10k is the reference computation over 10 000 sessions
// (2 000 learners, 5 attempts each) already in memory.
func BenchmarkCompute10k(b *testing.B) {
	facts := make([]analytics.Fact, 0, 10000)
	for i := range 10000 {
		p := float64(i%10000) / 100
		out := scoring.OutcomeFailed
		if p >= 70 {
			out = scoring.OutcomePassed
		}

		f := graded(fmt.Sprintf("l%d", i/5), i%5+1, p, out)
		f.Errors = []analytics.ErrorFact{{Code: fmt.Sprintf("COM.E%d", i%20),
			Severity: scoring.SeverityMinor}}
		facts = append(facts, f)
	}

	b.ResetTimer()
	for range b.N {
		if _, err := analytics.Compute(analytics.Query{CohortID: "c1"}, facts); err != nil {
			b.Fatal(err)
		}
	}
}

package analytics_test

import (
	"testing"

	"github.com/virtualaipatient/integration/reporting/analytics"
	"github.com/virtualaipatient/integration/reporting/analytics/analyticstest"
)

// BenchmarkFinishRandom finishes the tallies of the first 200 random
// cohorts of the test corpus: small cohorts with many small cells, where
// suppression and its linear programs take most of the time.
func BenchmarkFinishRandom(b *testing.B) {
	type prepared struct {
		q analytics.Query
		t analytics.Tally
	}

	var cohorts []prepared
	for seed := range 200 {
		c := analyticstest.Random(uint64(seed))
		q, t, err := analytics.Prepare(c.Query, c.Facts())
		if err != nil {
			b.Fatal(err)
		}

		cohorts = append(cohorts, prepared{q: q, t: t})
	}

	b.ResetTimer()
	for range b.N {
		for _, c := range cohorts {
			if _, err := analytics.Finish(c.q, c.t); err != nil {
				b.Fatal(err)
			}
		}
	}
}

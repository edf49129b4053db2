package analytics_test

import (
	"fmt"
	"math/big"

	"github.com/virtualaipatient/integration/reporting/analytics"
)

// A store tallies with SQL aggregates and finishes with the shared code.
func ExampleFinish() {
	t := analytics.Tally{AllGraded: analytics.ValueTally{N: 6,
		Sum: big.NewRat(450, 1), SumSquares: big.NewRat(35500, 1),
		Ranked: map[int64]*big.Rat{}}}
	values := []int64{50, 60, 70, 80, 90, 100}
	for _, r := range analytics.QuantileRanks(6) {
		t.AllGraded.Ranked[r] = big.NewRat(values[r], 1)
	}

	rep, err := analytics.Finish(analytics.Query{CohortID: "c1"}, t)
	if err != nil {
		fmt.Println(err)
		return
	}

	s := rep.Scores.AllGraded
	fmt.Println(*s.Mean.Value, *s.SD.Value, *s.Median.Value, *s.P90.Value)
	// Output: 75 18.71 75 95
}

func ExampleQuantileRanks() {
	fmt.Println(analytics.QuantileRanks(6))
	// Output: [0 1 2 3 4 5]
}

package analytics

import (
	"math/big"
	"slices"

	"github.com/virtualaipatient/integration/scoring"
)

// Tally is what a report is made of before small cells are suppressed and
// values rounded: exact counts, sums and the few ordered values that
// percentiles need. [Compute] tallies facts in memory; a store may tally
// the same numbers with SQL aggregates and call [Finish], which is shared,
// so that both give the same report.
type Tally struct {
	// Learners counts distinct learners.
	Learners LearnerTally
	// Sessions counts sessions by status and grading.
	Sessions SessionTally
	// PerLearner counts started sessions per learner and case.
	PerLearner AttemptTally
	// ToFirstPass counts, per learner and case with a passed graded
	// session, the started sessions up to the first passed one.
	ToFirstPass AttemptTally
	// Reporting holds each learner and case's score under the policy.
	Reporting ValueTally
	// AllGraded holds the score of every graded session.
	AllGraded ValueTally
	// TimeOnTask holds the active seconds of completed sessions; its
	// SumSquares and Bins are not used.
	TimeOnTask ValueTally
	// SubScores hold the applicable domains' percents of graded sessions,
	// one entry per domain, in any order.
	SubScores []DomainTally
	// Errors tally the active errors of completed sessions.
	Errors ErrorTally
	// Cases counts the distinct cases of the started sessions. With one
	// case, a learner-case pair is a learner, which suppression must take
	// into account.
	Cases int64
}

// LearnerTally counts distinct learners in scope.
type LearnerTally struct {
	// Started counts learners with a started session.
	Started int64
	// Completed counts learners with a completed session.
	Completed int64
	// Passed counts learners with a passed graded session.
	Passed int64
}

// SessionTally counts sessions in scope.
type SessionTally struct {
	// Created .. Voided count sessions per status.
	Created, InProgress, Suspended, Completed, Abandoned, Voided int64
	// Graded counts completed, fully graded, scored sessions.
	Graded int64
	// Passed counts graded sessions whose outcome is passed.
	Passed int64
	// FirstGraded counts graded sessions with attempt 1.
	FirstGraded int64
	// FirstPassed counts passed sessions with attempt 1.
	FirstPassed int64
}

// AttemptTally describes attempt counts over learner-case pairs.
type AttemptTally struct {
	// N counts the pairs.
	N int64
	// Sum adds the pairs' attempt counts.
	Sum int64
	// Max is the largest attempt count (0 without pairs).
	Max int64
	// Buckets count pairs with 1, 2, 3, 4 and 5 or more attempts.
	Buckets [5]int64
}

// ValueTally describes N exact values.
type ValueTally struct {
	// N counts the values.
	N int64
	// Sum adds the values (nil or 0 when N is 0).
	Sum *big.Rat
	// SumSquares adds their squares, for the sample variance.
	SumSquares *big.Rat
	// Ranked maps a 0-based rank in increasing order to the value there,
	// for every rank [QuantileRanks] lists for N.
	Ranked map[int64]*big.Rat
	// Bins count percents in [0, 10), [10, 20) .. [90, 100].
	Bins [10]int64
}

// DomainTally adds one domain's sub-score percents.
type DomainTally struct {
	// Domain is the domain code.
	Domain string
	// N counts the graded sessions where the domain applied.
	N int64
	// Sum adds their percents.
	Sum *big.Rat
}

// ErrorTally counts the active errors of completed sessions.
type ErrorTally struct {
	// Sessions counts the completed sessions.
	Sessions int64
	// Occurrences counts their active errors.
	Occurrences int64
	// SafetySessions counts sessions with a patient-safety error.
	SafetySessions int64
	// CriticalSessions counts sessions with a critical error.
	CriticalSessions int64
	// Codes tally each error code, in any order.
	Codes []CodeTally
}

// CodeTally counts one error code.
type CodeTally struct {
	// Code is PREFIX.NAME.
	Code string
	// Severity is the highest severity seen.
	Severity scoring.Severity
	// PatientSafety is set when any occurrence was a safety error.
	PatientSafety bool
	// Sessions counts the sessions with the code.
	Sessions int64
	// Occurrences counts the errors with the code.
	Occurrences int64
}

// quantiles are the fractions every statistic reads: min, P25, median,
// P75, P90 and max.
var quantiles = []*big.Rat{big.NewRat(0, 1), quarter, half, threeQuarter, nineTenths,
	big.NewRat(1, 1)}

// QuantileRanks returns, in increasing order, the 0-based ranks whose
// values a [ValueTally] of n values must hold in Ranked: for each of min,
// P25, median, P75, P90 and max, the ranks floor((n-1)·p) and the next one.
func QuantileRanks(n int64) []int64 {
	if n <= 0 {
		return nil
	}

	var out []int64
	for _, p := range quantiles {
		lo := floorRank(n, p)
		out = append(out, lo)
		if lo+1 < n {
			out = append(out, lo+1)
		}
	}

	slices.Sort(out)

	return slices.Compact(out)
}

// floorRank is floor((n-1)·p).
func floorRank(n int64, p *big.Rat) int64 {
	h := new(big.Rat).Mul(big.NewRat(n-1, 1), p)
	return new(big.Int).Quo(h.Num(), h.Denom()).Int64()
}

// PercentBin returns the histogram bin of a percent: floor(x/10), kept
// within 0..9.
func PercentBin(x *big.Rat) int {
	q := new(big.Int).Mul(x.Denom(), big.NewInt(10))
	i := new(big.Int).Div(x.Num(), q).Int64()

	return int(min(max(i, 0), 9))
}

// valueTally tallies exact values.
func valueTally(xs []*big.Rat) ValueTally {
	s := sorted(xs)
	t := ValueTally{N: int64(len(s)), Sum: new(big.Rat), SumSquares: new(big.Rat),
		Ranked: map[int64]*big.Rat{}}
	for _, x := range s {
		t.Sum.Add(t.Sum, x)
		t.SumSquares.Add(t.SumSquares, new(big.Rat).Mul(x, x))
		t.Bins[PercentBin(x)]++
	}

	for _, r := range QuantileRanks(t.N) {
		t.Ranked[r] = s[r]
	}

	return t
}

// attemptTally tallies attempt counts.
func attemptTally(counts []int64) AttemptTally {
	var t AttemptTally
	for _, k := range counts {
		t.N++
		t.Sum += k
		t.Max = max(t.Max, k)
		t.Buckets[min(k, 5)-1]++
	}

	return t
}

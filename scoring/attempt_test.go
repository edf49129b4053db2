package scoring

import (
	"math"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var t0 = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)

func attempts() []Attempt {
	return []Attempt{
		{Number: 1, Ended: t0, Scaled: 0.65, Outcome: OutcomeFailed, Threshold: 0.7},
		{Number: 2, Ended: t0.Add(time.Hour), Scaled: 0.9, Outcome: OutcomeFailed, Threshold: 0.7},
		{Number: 3, Ended: t0.Add(2 * time.Hour), Scaled: 0.72, Outcome: OutcomePassed, Threshold: 0.7},
		{Number: 4, Ended: t0.Add(3 * time.Hour), Scaled: 0.72, Outcome: OutcomePassed, Threshold: 0.7},
		{Number: 5, Ended: t0.Add(4 * time.Hour), Scaled: 0.5, Outcome: OutcomeFailed, Threshold: 0.7},
	}
}

func TestSelectAttempt(t *testing.T) {
	tests := []struct {
		name     string
		policy   AttemptPolicy
		attempts []Attempt
		number   int
		scaled   float64
		outcome  Outcome
	}{
		{name: "best ranks passed before a higher fail, then earlier end", policy: PolicyBest,
			attempts: attempts(), number: 3, scaled: 0.72, outcome: OutcomePassed},
		{name: "zero policy is best", attempts: attempts(), number: 3, scaled: 0.72,
			outcome: OutcomePassed},
		{name: "best without a pass takes the highest score", policy: PolicyBest,
			attempts: []Attempt{attempts()[0], attempts()[1], attempts()[4]}, number: 2,
			scaled: 0.9, outcome: OutcomeFailed},
		{name: "last", policy: PolicyLast, attempts: attempts(), number: 5, scaled: 0.5,
			outcome: OutcomeFailed},
		{name: "first in any order", policy: PolicyFirst,
			attempts: []Attempt{attempts()[3], attempts()[0]}, number: 1, scaled: 0.65,
			outcome: OutcomeFailed},
		{name: "mean", policy: PolicyMean, attempts: attempts(), scaled: 0.698,
			outcome: OutcomeFailed},
		{name: "mean reaches threshold exactly", policy: PolicyMean,
			attempts: []Attempt{attempts()[0], {Number: 2, Scaled: 0.75, Outcome: OutcomePassed,
				Threshold: 0.7}}, scaled: 0.7, outcome: OutcomePassed},
		{name: "mean of practice attempts", policy: PolicyMean,
			attempts: []Attempt{{Number: 1, Scaled: 0.3, Outcome: OutcomeNotApplicable}},
			scaled:   0.3, outcome: OutcomeNotApplicable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sel, err := SelectAttempt(tc.policy, tc.attempts)
			require.NoError(t, err)
			assert.Equal(t, tc.scaled, sel.Scaled)
			assert.Equal(t, tc.outcome, sel.Outcome)
			assert.Equal(t, len(tc.attempts), sel.Attempts)
			if tc.number == 0 {
				assert.Nil(t, sel.Attempt)
				return
			}

			require.NotNil(t, sel.Attempt)
			assert.Equal(t, tc.number, sel.Attempt.Number)
		})
	}
}

func TestSelectAttemptErrors(t *testing.T) {
	tests := []struct {
		name     string
		policy   AttemptPolicy
		attempts []Attempt
		want     error
	}{
		{name: "unknown policy", policy: "median", attempts: attempts(), want: ErrPolicy},
		{name: "no attempts", policy: PolicyBest, want: ErrNoAttempts},
		{name: "duplicate number", policy: PolicyBest,
			attempts: []Attempt{attempts()[0], attempts()[0]}, want: ErrAttempt},
		{name: "number zero", policy: PolicyBest,
			attempts: []Attempt{{Scaled: 0.5, Outcome: OutcomeFailed}}, want: ErrAttempt},
		{name: "score above one", policy: PolicyBest,
			attempts: []Attempt{{Number: 1, Scaled: 1.5, Outcome: OutcomeFailed}}, want: ErrAttempt},
		{name: "unknown outcome", policy: PolicyBest,
			attempts: []Attempt{{Number: 1, Scaled: 0.5, Outcome: "meh"}}, want: ErrAttempt},
		{name: "threshold above one", policy: PolicyMean,
			attempts: []Attempt{{Number: 1, Scaled: 1, Outcome: OutcomePassed, Threshold: 5}},
			want:     ErrAttempt},
		{name: "negative threshold", policy: PolicyBest,
			attempts: []Attempt{{Number: 1, Scaled: 1, Outcome: OutcomePassed, Threshold: -0.1}},
			want:     ErrAttempt},
		{name: "NaN threshold", policy: PolicyLast,
			attempts: []Attempt{{Number: 1, Scaled: 1, Outcome: OutcomePassed,
				Threshold: math.NaN()}},
			want: ErrAttempt},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := SelectAttempt(tc.policy, tc.attempts)
			assert.ErrorIs(t, err, tc.want)
		})
	}
}

func TestAttemptFromResult(t *testing.T) {
	res, err := Evaluate(referenceRubric(), Input{Points: points(16, 7, 6, 8, 9)})
	require.NoError(t, err)
	a := AttemptFromResult(2, t0, res)
	assert.Equal(t, Attempt{Number: 2, Ended: t0, Scaled: 0.7675, ScaledExact: "307/400",
		Outcome: OutcomePassed, Threshold: 0.7}, a)
}

// TestSelectAttemptExact checks that policies use the attempts' exact
// scores, so that the grade is rounded once: two attempts at 0.64375
// (reported 0.6438) and one at 0.5 have the mean 0.595833…, 0.5958, where
// the rounded scores would give 0.5959.
func TestSelectAttemptExact(t *testing.T) {
	j := func(n int) Attempt {
		return Attempt{Number: n, Ended: t0, Scaled: 0.6438, ScaledExact: "103/160",
			Outcome: OutcomeFailed, Threshold: 0.7}
	}
	half := Attempt{Number: 3, Ended: t0, Scaled: 0.5, ScaledExact: "1/2",
		Outcome: OutcomeFailed, Threshold: 0.7}

	sel, err := SelectAttempt(PolicyMean, []Attempt{j(1), j(2), half})
	require.NoError(t, err)
	assert.Equal(t, 0.5958, sel.Scaled)
	assert.Equal(t, 59.58, sel.Percent)
	assert.Equal(t, "143/240", sel.ScaledExact)

	rounded := []Attempt{j(1), j(2), half}
	for i := range rounded {
		rounded[i].ScaledExact = ""
	}

	sel, err = SelectAttempt(PolicyMean, rounded)
	require.NoError(t, err)
	assert.Equal(t, 0.5959, sel.Scaled, "without exact scores, the rounded ones are averaged")

	// Best ranks by the exact score: 0.64375 is below 0.6438 exactly.
	other := Attempt{Number: 4, Ended: t0.Add(time.Hour), Scaled: 0.6438, ScaledExact: "3219/5000",
		Outcome: OutcomeFailed, Threshold: 0.7}
	sel, err = SelectAttempt(PolicyBest, []Attempt{j(1), other})
	require.NoError(t, err)
	assert.Equal(t, 4, sel.Attempt.Number)

	bad := j(1)
	bad.ScaledExact = "1/3"
	_, err = SelectAttempt(PolicyBest, []Attempt{bad})
	assert.ErrorIs(t, err, ErrAttempt, "an exact score that does not round to Scaled")
}

func TestEvaluateCaseSet(t *testing.T) {
	cases := func() []CaseResult {
		return []CaseResult{
			{CaseID: "acs-chest-pain", Required: true, Weight: 2, Completed: true, Scaled: 0.8,
				Outcome: OutcomePassed},
			{CaseID: "sepsis", Required: true, Weight: 1, Completed: true, Scaled: 0.6,
				Outcome: OutcomeFailed},
			{CaseID: "asthma", Weight: 1, Completed: false},
		}
	}
	passedAll := cases()
	passedAll[1].Scaled, passedAll[1].Outcome = 0.75, OutcomePassed
	open := cases()
	open[1].Completed = false
	optionalOpen := cases()
	optionalOpen[1].Required, optionalOpen[1].Completed = false, false

	tests := []struct {
		name      string
		rule      CaseSetRule
		cases     []CaseResult
		completed bool
		outcome   Outcome
		scaled    *float64
		required  int
	}{
		{name: "all required passed fails on one fail", cases: cases(), completed: true,
			outcome: OutcomeFailed, scaled: ptr(0.7333), required: 2},
		{name: "all required passed", cases: passedAll, completed: true,
			outcome: OutcomePassed, scaled: ptr(0.7833), required: 2},
		{name: "weighted mean over threshold",
			rule:  CaseSetRule{Pass: PassWeightedMean, Threshold: ptr(0.7333)},
			cases: cases(), completed: true, outcome: OutcomePassed, scaled: ptr(0.7333),
			required: 2},
		{name: "weighted mean just below threshold",
			rule:  CaseSetRule{Pass: PassWeightedMean, Threshold: ptr(0.7334)},
			cases: cases(), completed: true, outcome: OutcomeFailed, scaled: ptr(0.7333),
			required: 2},
		{name: "weighted mean with an explicit zero threshold passes any completed set",
			rule: CaseSetRule{Pass: PassWeightedMean, Threshold: ptr(0.0)},
			cases: []CaseResult{{CaseID: "a", Required: true, Completed: true, Scaled: 0.01,
				Outcome: OutcomeFailed}}, completed: true, outcome: OutcomePassed,
			scaled: ptr(0.01), required: 1},
		{name: "required case open", cases: open, completed: false, outcome: OutcomeUnknown,
			scaled: ptr(0.8), required: 2},
		{name: "n of m met", rule: CaseSetRule{Completion: CompleteNOfM, N: 1,
			Pass: PassWeightedMean, Threshold: ptr(0.7)}, cases: optionalOpen, completed: true,
			outcome: OutcomePassed, scaled: ptr(0.8), required: 1},
		{name: "n of m met in count but a marked required case open",
			rule: CaseSetRule{Completion: CompleteNOfM, N: 1, Pass: PassWeightedMean,
				Threshold: ptr(0.7)}, cases: open, completed: false,
			outcome: OutcomeUnknown, scaled: ptr(0.8), required: 2},
		{name: "n of m not met", rule: CaseSetRule{Completion: CompleteNOfM, N: 3},
			cases: cases(), completed: false, outcome: OutcomeUnknown, scaled: ptr(0.7333),
			required: 2},
		{name: "nothing completed", rule: CaseSetRule{Completion: CompleteNOfM, N: 1},
			cases: []CaseResult{{CaseID: "x"}}, completed: false, outcome: OutcomeUnknown},
		{name: "none marked required: every case failed", cases: unmarked(OutcomeFailed,
			OutcomeFailed), completed: true, outcome: OutcomeFailed, scaled: ptr(0.15),
			required: 2},
		{name: "none marked required: one failed", cases: unmarked(OutcomePassed,
			OutcomeFailed), completed: true, outcome: OutcomeFailed, scaled: ptr(0.15),
			required: 2},
		{name: "none marked required: every case passed", cases: unmarked(OutcomePassed,
			OutcomePassed), completed: true, outcome: OutcomePassed, scaled: ptr(0.15),
			required: 2},
		// Under n_of_m no case is required when none is marked: any N count.
		{name: "none marked required: n of m, every case failed",
			rule:  CaseSetRule{Completion: CompleteNOfM, N: 2},
			cases: unmarked(OutcomeFailed, OutcomeFailed), completed: true,
			outcome: OutcomeFailed, scaled: ptr(0.15)},
		{name: "none marked required: nothing completed",
			cases: []CaseResult{{CaseID: "a"}, {CaseID: "b"}}, completed: false,
			outcome: OutcomeUnknown, required: 2},
		{name: "2 of 3, none marked: two passed",
			rule:  CaseSetRule{Completion: CompleteNOfM, N: 2},
			cases: threeCases(false, OutcomePassed, OutcomePassed, ""), completed: true,
			outcome: OutcomePassed, scaled: ptr(0.8)},
		{name: "2 of 3, none marked: two passed and one failed",
			rule:      CaseSetRule{Completion: CompleteNOfM, N: 2},
			cases:     threeCases(false, OutcomePassed, OutcomePassed, OutcomeFailed),
			completed: true, outcome: OutcomePassed, scaled: ptr(0.6667)},
		{name: "2 of 3, none marked: one passed and one failed",
			rule:  CaseSetRule{Completion: CompleteNOfM, N: 2},
			cases: threeCases(false, OutcomePassed, OutcomeFailed, ""), completed: true,
			outcome: OutcomeFailed, scaled: ptr(0.6)},
		{name: "2 of 3, none marked: one completed",
			rule:  CaseSetRule{Completion: CompleteNOfM, N: 2},
			cases: threeCases(false, OutcomePassed, "", ""), completed: false,
			outcome: OutcomeUnknown, scaled: ptr(0.8)},
		{name: "2 of 3, none marked: weighted mean over the completed cases",
			rule: CaseSetRule{Completion: CompleteNOfM, N: 2, Pass: PassWeightedMean,
				Threshold: ptr(0.6)},
			cases: threeCases(false, OutcomePassed, OutcomeFailed, ""), completed: true,
			outcome: OutcomePassed, scaled: ptr(0.6)},
		{name: "2 of 3, first marked: it and another passed",
			rule:  CaseSetRule{Completion: CompleteNOfM, N: 2},
			cases: threeCases(true, OutcomePassed, OutcomePassed, ""), completed: true,
			outcome: OutcomePassed, scaled: ptr(0.8), required: 1},
		{name: "2 of 3, first marked: it failed, the others passed",
			rule:      CaseSetRule{Completion: CompleteNOfM, N: 2},
			cases:     threeCases(true, OutcomeFailed, OutcomePassed, OutcomePassed),
			completed: true, outcome: OutcomeFailed, scaled: ptr(0.6667), required: 1},
		{name: "2 of 3, first marked: it is open, the others passed",
			rule:  CaseSetRule{Completion: CompleteNOfM, N: 2},
			cases: threeCases(true, "", OutcomePassed, OutcomePassed), completed: false,
			outcome: OutcomeUnknown, scaled: ptr(0.8), required: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := EvaluateCaseSet(tc.rule, tc.cases)
			require.NoError(t, err)
			assert.Equal(t, tc.completed, res.Completed)
			assert.Equal(t, tc.outcome, res.Outcome)
			assert.Equal(t, tc.scaled, res.Scaled)
			assert.Equal(t, tc.required, res.RequiredCases)
		})
	}
}

// threeCases returns three cases of equal weight, the first marked Required
// when firstRequired; an empty outcome leaves a case open. A passed case
// scores 0.8, any other 0.4.
func threeCases(firstRequired bool, outcomes ...Outcome) []CaseResult {
	out := make([]CaseResult, 0, len(outcomes))
	for i, o := range outcomes {
		c := CaseResult{CaseID: string(rune('a' + i)), Weight: 1, Required: i == 0 && firstRequired,
			Completed: o != "", Outcome: o, Scaled: 0.4}
		if o == OutcomePassed {
			c.Scaled = 0.8
		}

		out = append(out, c)
	}

	return out
}

// unmarked returns two completed cases, none marked Required, with the given
// outcomes and scores 0.1 and 0.2.
func unmarked(a, b Outcome) []CaseResult {
	return []CaseResult{
		{CaseID: "a", Weight: 1, Completed: true, Scaled: 0.1, Outcome: a},
		{CaseID: "b", Weight: 1, Completed: true, Scaled: 0.2, Outcome: b},
	}
}

func TestEvaluateCaseSetErrors(t *testing.T) {
	ok := []CaseResult{{CaseID: "a", Required: true, Completed: true, Scaled: 0.5,
		Outcome: OutcomeFailed}}
	tests := []struct {
		name  string
		rule  CaseSetRule
		cases []CaseResult
		want  error
	}{
		{name: "no cases", want: ErrNoCases},
		{name: "unknown pass rule", rule: CaseSetRule{Pass: "most"}, cases: ok,
			want: ErrCaseSetRule},
		{name: "unknown completion", rule: CaseSetRule{Completion: "most"}, cases: ok,
			want: ErrCaseSetRule},
		{name: "n above count", rule: CaseSetRule{Completion: CompleteNOfM, N: 2}, cases: ok,
			want: ErrCaseSetRule},
		{name: "threshold too precise",
			rule: CaseSetRule{Pass: PassWeightedMean, Threshold: ptr(0.12345)}, cases: ok,
			want: ErrCaseSetRule},
		{name: "weighted mean without threshold", rule: CaseSetRule{Pass: PassWeightedMean},
			cases: []CaseResult{{CaseID: "a", Completed: true, Scaled: 0.01,
				Outcome: OutcomeFailed}}, want: ErrCaseSetRule},
		{name: "threshold above one",
			rule: CaseSetRule{Pass: PassWeightedMean, Threshold: ptr(1.5)}, cases: ok,
			want: ErrCaseSetRule},
		{name: "negative threshold",
			rule: CaseSetRule{Pass: PassWeightedMean, Threshold: ptr(-0.1)}, cases: ok,
			want: ErrCaseSetRule},
		{name: "threshold NaN",
			rule: CaseSetRule{Pass: PassWeightedMean, Threshold: ptr(math.NaN())}, cases: ok,
			want: ErrNotFinite},
		{name: "threshold with all required passed", rule: CaseSetRule{Threshold: ptr(0.7)},
			cases: ok, want: ErrCaseSetRule},
		{name: "n with all required", rule: CaseSetRule{N: 1}, cases: ok, want: ErrCaseSetRule},
		{name: "negative weight", cases: []CaseResult{{Weight: -1}}, want: ErrCaseResult},
		{name: "score out of range", cases: []CaseResult{{Completed: true, Scaled: 2,
			Outcome: OutcomePassed}}, want: ErrCaseResult},
		{name: "unknown outcome", cases: []CaseResult{{Completed: true, Scaled: 0.2}},
			want: ErrCaseResult},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := EvaluateCaseSet(tc.rule, tc.cases)
			assert.ErrorIs(t, err, tc.want)
			if tc.want != ErrNoCases {
				var ve *ValidationError
				assert.ErrorAs(t, err, &ve, "typed error")
			}
		})
	}
}

// TestEvaluateCaseSetExact checks that weighted_mean averages the cases'
// exact scores when they carry them: 0.64375, 0.64375 and 0.5 have the
// mean 0.5958, where the reported 0.6438 would give 0.5959.
func TestEvaluateCaseSetExact(t *testing.T) {
	cases := []CaseResult{
		{CaseID: "a", Completed: true, Scaled: 0.6438, ScaledExact: "103/160", Outcome: OutcomeFailed},
		{CaseID: "b", Completed: true, Scaled: 0.6438, ScaledExact: "103/160", Outcome: OutcomeFailed},
		{CaseID: "c", Completed: true, Scaled: 0.5, ScaledExact: "1/2", Outcome: OutcomeFailed},
	}
	res, err := EvaluateCaseSet(CaseSetRule{Pass: PassWeightedMean, Threshold: ptr(0.5)}, cases)
	require.NoError(t, err)
	require.NotNil(t, res.Scaled)
	assert.Equal(t, 0.5958, *res.Scaled)

	cases[2].ScaledExact = "2/3"
	_, err = EvaluateCaseSet(CaseSetRule{Pass: PassWeightedMean, Threshold: ptr(0.5)}, cases)
	assert.ErrorIs(t, err, ErrCaseResult, "an exact score that does not round to Scaled")
}

// TestSelectionLongFractionFits checks that a Selection is always accepted
// as a CaseResult: a mean of long fractions that would exceed the length a
// ScaledExact may have is left without one.
func TestSelectionLongFractionFits(t *testing.T) {
	long := func(n int, digits int) Attempt {
		den, _ := new(big.Int).SetString("1"+strings.Repeat("0", digits-1)+"7", 10)
		for !den.ProbablyPrime(20) {
			den.Add(den, big.NewInt(2))
		}

		x := new(big.Rat).SetFrac(new(big.Int).Div(den, big.NewInt(2)), den)

		return Attempt{Number: n, Ended: t0, Scaled: roundScaled(x), ScaledExact: x.RatString(),
			Outcome: OutcomeFailed, Threshold: 0.7}
	}

	sel, err := SelectAttempt(PolicyMean, []Attempt{long(1, 300), long(2, 290)})
	require.NoError(t, err)
	assert.Empty(t, sel.ScaledExact, "longer than a ScaledExact may be")
	_, err = EvaluateCaseSet(CaseSetRule{Pass: PassWeightedMean, Threshold: ptr(0.5)},
		[]CaseResult{{CaseID: "a", Completed: true, Scaled: sel.Scaled,
			ScaledExact: sel.ScaledExact, Outcome: sel.Outcome}})
	require.NoError(t, err)
}

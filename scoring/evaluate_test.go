package scoring

import (
	"errors"
	"math"
	"math/big"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func ptr[T any](v T) *T { return &v }

// referenceRubric is the reference rubric of the domain documentation.
func referenceRubric() Rubric {
	return Rubric{
		Domains: []Domain{
			{Code: "history_taking", MaxPoints: 20, Weight: 30},
			{Code: "physical_exam", MaxPoints: 10, Weight: 15},
			{Code: "diagnostic_reasoning", MaxPoints: 8, Weight: 25},
			{Code: "management", MaxPoints: 10, Weight: 20},
			{Code: "communication", MaxPoints: 12, Weight: 10, Minimum: ptr(0.50)},
		},
		Threshold:    0.70,
		Critical:     CriticalRule{Action: CriticalCap, Cap: 0.50},
		HurdleAction: HurdleFlag,
	}
}

func points(ht, pe, dr, mg, cm float64) map[string]float64 {
	return map[string]float64{
		"history_taking": ht, "physical_exam": pe, "diagnostic_reasoning": dr,
		"management": mg, "communication": cm,
	}
}

var criticalError = FlaggedError{
	Code: "MED.CONTRAINDICATED_DRUG", Category: "medication", Severity: SeverityCritical,
	PatientSafety: true, Critical: true, Message: "Contraindicated drug given",
	DetectedBy: DetectedByRule,
}

func moderateError(code string) FlaggedError {
	return FlaggedError{Code: code, Category: "history", Severity: SeverityModerate,
		Message: "Missed question", DetectedBy: DetectedByAIModel}
}

type evalCase struct {
	name    string
	rubric  func(*Rubric)
	input   Input
	scaled  float64
	percent float64
	outcome Outcome
	reasons []string
	capped  bool
}

// workedExamples are cases A to J of the domain reference.
var workedExamples = []evalCase{
	{name: "A", input: Input{Points: points(16, 7, 6, 8, 9)},
		scaled: 0.7675, percent: 76.75, outcome: OutcomePassed},
	{name: "A-points", rubric: func(r *Rubric) { r.Aggregation = AggregationPoints },
		input:  Input{Points: points(16, 7, 6, 8, 9)},
		scaled: 0.7667, percent: 76.67, outcome: OutcomePassed},
	{name: "B", input: Input{Points: points(16, 7, 6, 8, 9), Errors: []FlaggedError{criticalError}},
		scaled: 0.5, percent: 50, outcome: OutcomeFailed,
		reasons: []string{ReasonCriticalError}, capped: true},
	{name: "C", rubric: func(r *Rubric) { r.Critical.Action = CriticalFail },
		input:  Input{Points: points(16, 7, 6, 8, 9), Errors: []FlaggedError{criticalError}},
		scaled: 0.7675, percent: 76.75, outcome: OutcomeFailed,
		reasons: []string{ReasonCriticalError}},
	{name: "D", input: Input{Points: points(16, 7, 6, 8, 9), NotApplicable: []string{"physical_exam"}},
		scaled: 0.7794, percent: 77.94, outcome: OutcomePassed},
	{name: "E", input: Input{Points: points(18, 9, 8, 9, 5)},
		scaled: 0.8767, percent: 87.67, outcome: OutcomeFailed,
		reasons: []string{"hurdle:communication"}},
	{name: "F", rubric: func(r *Rubric) { r.Penalties = Penalties{SeverityModerate: 0.05} },
		input: Input{Points: points(16, 7, 6, 8, 9),
			Errors: []FlaggedError{moderateError("HX.MISSED_ALLERGY"), moderateError("HX.MISSED_MEDS")}},
		scaled: 0.6675, percent: 66.75, outcome: OutcomeFailed,
		reasons: []string{ReasonBelowThreshold}},
	{name: "H", rubric: func(r *Rubric) { r.Threshold = 0.80 },
		input:  Input{Points: points(12, 10, 8, 6, 12)},
		scaled: 0.8, percent: 80, outcome: OutcomePassed},
	{name: "J", input: Input{Points: points(10, 5, 7, 5, 12)},
		scaled: 0.6438, percent: 64.38, outcome: OutcomeFailed,
		reasons: []string{ReasonBelowThreshold}},
}

// moreCases cover each rule beyond the worked examples.
var moreCases = []evalCase{
	{name: "critical zero", rubric: func(r *Rubric) { r.Critical.Action = CriticalZero },
		input:  Input{Points: points(16, 7, 6, 8, 9), Errors: []FlaggedError{criticalError}},
		scaled: 0, percent: 0, outcome: OutcomeFailed,
		reasons: []string{ReasonCriticalError}, capped: true},
	{name: "critical none", rubric: func(r *Rubric) { r.Critical.Action = CriticalNone },
		input:  Input{Points: points(16, 7, 6, 8, 9), Errors: []FlaggedError{criticalError}},
		scaled: 0.7675, percent: 76.75, outcome: OutcomePassed},
	{name: "several critical errors act as one",
		input: Input{Points: points(16, 7, 6, 8, 9),
			Errors: []FlaggedError{criticalError, criticalError, criticalError}},
		scaled: 0.5, percent: 50, outcome: OutcomeFailed,
		reasons: []string{ReasonCriticalError}, capped: true},
	{name: "cap above score leaves it",
		input:  Input{Points: points(8, 4, 3, 4, 6), Errors: []FlaggedError{criticalError}},
		scaled: 0.4038, percent: 40.38, outcome: OutcomeFailed,
		reasons: []string{ReasonBelowThreshold, ReasonCriticalError}},
	{name: "dismissed critical error is ignored",
		input: Input{Points: points(16, 7, 6, 8, 9),
			Errors: []FlaggedError{func() FlaggedError {
				e := criticalError
				e.Status = ErrorDismissed
				return e
			}()}},
		scaled: 0.7675, percent: 76.75, outcome: OutcomePassed},
	{name: "hurdle cap", rubric: func(r *Rubric) { r.HurdleAction = HurdleCap },
		input:  Input{Points: points(18, 9, 8, 9, 5)},
		scaled: 0.5, percent: 50, outcome: OutcomeFailed,
		reasons: []string{"hurdle:communication"}, capped: true},
	{name: "hurdle cap with own cap",
		rubric: func(r *Rubric) { r.HurdleAction = HurdleCap; r.HurdleCap = ptr(0.65) },
		input:  Input{Points: points(18, 9, 8, 9, 5)},
		scaled: 0.65, percent: 65, outcome: OutcomeFailed,
		reasons: []string{"hurdle:communication"}, capped: true},
	{name: "hurdle met exactly",
		input:  Input{Points: points(16, 7, 6, 8, 6)},
		scaled: 0.7425, percent: 74.25, outcome: OutcomePassed},
	{name: "all reasons in order",
		input:  Input{Points: points(2, 1, 1, 1, 1), Errors: []FlaggedError{criticalError}},
		scaled: 0.1046, percent: 10.46, outcome: OutcomeFailed,
		reasons: []string{ReasonBelowThreshold, ReasonCriticalError, "hurdle:communication"}},
	{name: "penalties floor at zero",
		rubric: func(r *Rubric) { r.Penalties = Penalties{SeverityMinor: 0.3} },
		input: Input{Points: points(2, 1, 1, 1, 6), Errors: []FlaggedError{
			{Code: "COM.JARGON", Severity: SeverityMinor},
			{Code: "COM.JARGON", Severity: SeverityMinor}}},
		scaled: 0, percent: 0, outcome: OutcomeFailed,
		reasons: []string{ReasonBelowThreshold}},
	{name: "penalty skips critical and dismissed errors",
		rubric: func(r *Rubric) { r.Penalties = Penalties{SeverityCritical: 0.1, SeverityMajor: 0.01} },
		input: Input{Points: points(16, 7, 6, 8, 9), Errors: []FlaggedError{
			{Code: "HX.MISSED_ALLERGY", Severity: SeverityMajor},
			{Code: "HX.MISSED_ALLERGY", Severity: SeverityMajor, Status: ErrorDismissed},
			{Code: "MED.CONTRAINDICATED_DRUG", Severity: SeverityCritical, Critical: true}}},
		scaled: 0.5, percent: 50, outcome: OutcomeFailed,
		reasons: []string{ReasonCriticalError}, capped: true},
	{name: "non-critical critical-severity error is only penalised",
		rubric: func(r *Rubric) { r.Penalties = Penalties{SeverityCritical: 0.05} },
		input: Input{Points: points(16, 7, 6, 8, 9), Errors: []FlaggedError{
			{Code: "MED.WRONG_DOSE", Severity: SeverityCritical, PatientSafety: true}}},
		scaled: 0.7175, percent: 71.75, outcome: OutcomePassed},
	{name: "rounding at the half: 0.76665 up",
		rubric: func(r *Rubric) {
			r.Domains = []Domain{{Code: "a", MaxPoints: 100000, Weight: 1}}
			r.Threshold = 0.5
			r.Critical.Cap = 0.4
		},
		input:  Input{Points: map[string]float64{"a": 76665}},
		scaled: 0.7667, percent: 76.67, outcome: OutcomePassed},
	{name: "rounding at the half: percent 12.345 up",
		rubric: func(r *Rubric) {
			r.Domains = []Domain{{Code: "a", MaxPoints: 100000, Weight: 1}}
			r.Threshold = 0.5
			r.Critical.Cap = 0.4
		},
		input:  Input{Points: map[string]float64{"a": 12345}},
		scaled: 0.1235, percent: 12.35, outcome: OutcomeFailed,
		reasons: []string{ReasonBelowThreshold}},
	{name: "practice without threshold",
		input: Input{Points: points(10, 5, 7, 5, 12), Mode: ModePractice,
			Errors: []FlaggedError{criticalError}},
		scaled: 0.5, percent: 50, outcome: OutcomeNotApplicable, capped: true},
	{name: "practice with threshold override",
		input:  Input{Points: points(10, 5, 7, 5, 12), Mode: ModePractice, Threshold: ptr(0.6)},
		scaled: 0.6438, percent: 64.38, outcome: OutcomePassed},
	{name: "threshold override in assessment",
		input:  Input{Points: points(16, 7, 6, 8, 9), Threshold: ptr(0.7676)},
		scaled: 0.7675, percent: 76.75, outcome: OutcomeFailed,
		reasons: []string{ReasonBelowThreshold}},
	{name: "missing domain scores zero",
		input:  Input{Points: map[string]float64{"history_taking": 20, "communication": 12}},
		scaled: 0.4, percent: 40, outcome: OutcomeFailed,
		reasons: []string{ReasonBelowThreshold}},
	{name: "points aggregation with a domain not applicable",
		rubric: func(r *Rubric) { r.Aggregation = AggregationPoints },
		input:  Input{Points: points(16, 7, 6, 8, 9), NotApplicable: []string{"physical_exam"}},
		scaled: 0.78, percent: 78, outcome: OutcomePassed},
}

func TestEvaluate(t *testing.T) {
	for _, tc := range append(append([]evalCase{}, workedExamples...), moreCases...) {
		t.Run(tc.name, func(t *testing.T) {
			r := referenceRubric()
			if tc.rubric != nil {
				tc.rubric(&r)
			}

			res, err := Evaluate(r, tc.input)
			require.NoError(t, err)
			assert.Equal(t, tc.scaled, res.Scaled, "scaled")
			assert.Equal(t, tc.percent, res.Percent, "percent")
			assert.Equal(t, tc.outcome, res.Outcome, "outcome")
			reasons := tc.reasons
			if reasons == nil {
				reasons = []string{}
			}

			assert.Equal(t, reasons, res.FailReasons, "fail reasons")
			assert.Equal(t, tc.capped, res.CapApplied, "cap applied")
		})
	}
}

// TestWorkedExamplesDefeatNaiveFloat shows that cases H and J tell exact
// arithmetic from a naive float64 sum (weights as fractions, as a
// spreadsheet would hold them), so TestEvaluate catches naive arithmetic.
func TestWorkedExamplesDefeatNaiveFloat(t *testing.T) {
	naive := func(pts []float64) float64 {
		var sum float64
		for i, d := range referenceRubric().Domains {
			sum += float64(d.Weight) / 100 * (pts[i] / d.MaxPoints)
		}

		return sum
	}

	h := naive([]float64{12, 10, 8, 6, 12})
	assert.Less(t, h, 0.80, "naive H falls below its threshold")
	j := naive([]float64{10, 5, 7, 5, 12})
	assert.Equal(t, 0.6437, math.Round(j*10000)/10000, "naive J rounds down")
}

func TestEvaluateSubScores(t *testing.T) {
	r := referenceRubric()
	res, err := Evaluate(r, Input{Points: points(18, 9, 8, 9, 5),
		NotApplicable: []string{"physical_exam"}})
	require.NoError(t, err)
	require.Len(t, res.SubScores, 5)

	tests := []struct {
		name string
		got  SubScore
		want SubScore
	}{
		{name: "history taking", got: res.SubScores[0], want: SubScore{
			Domain: "history_taking", Applicable: true, Points: 18, MaxPoints: 20, Scaled: 0.9,
			Percent: 90, Weight: 30, Share: 0.3529, Contribution: 0.3176, Hurdle: HurdleNone}},
		{name: "physical exam not applicable", got: res.SubScores[1], want: SubScore{
			Domain: "physical_exam", MaxPoints: 10, Weight: 15, Hurdle: HurdleNone}},
		{name: "communication hurdle missed", got: res.SubScores[4], want: SubScore{
			Domain: "communication", Applicable: true, Points: 5, MaxPoints: 12, Scaled: 0.4167,
			Percent: 41.67, Weight: 10, Share: 0.1176, Contribution: 0.049,
			Minimum: ptr(0.5), Hurdle: HurdleMissed}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.got)
		})
	}

	assert.Equal(t, 50.0, res.MaxPoints)
	assert.Equal(t, 40.0, res.Points)
}

func TestEvaluateItems(t *testing.T) {
	rubric := func() Rubric {
		r := referenceRubric()
		r.Items = []Item{
			{ID: "ht.allergies", Domain: "history_taking", MaxPoints: 5, Critical: true},
			{ID: "ht.onset", Domain: "history_taking", MaxPoints: 10},
			{ID: "ht.family", Domain: "history_taking", MaxPoints: 5},
		}
		return r
	}
	base := points(0, 7, 6, 8, 9)
	delete(base, "history_taking")

	tests := []struct {
		name     string
		items    map[string]float64
		na       []string
		scaled   float64
		outcome  Outcome
		critical int
	}{
		{name: "items sum to the domain", items: map[string]float64{
			"ht.allergies": 5, "ht.onset": 8, "ht.family": 3}, scaled: 0.7675,
			outcome: OutcomePassed},
		{name: "missed critical item caps", items: map[string]float64{
			"ht.allergies": 0, "ht.onset": 10, "ht.family": 5}, scaled: 0.5,
			outcome: OutcomeFailed, critical: 1},
		{name: "absent critical item counts as missed", items: map[string]float64{
			"ht.onset": 10, "ht.family": 5}, scaled: 0.5, outcome: OutcomeFailed, critical: 1},
		{name: "critical item of a domain that does not apply", items: map[string]float64{
			"ht.onset": 10}, na: []string{"history_taking"}, scaled: 0.7536,
			outcome: OutcomePassed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Evaluate(rubric(), Input{Points: base, ItemPoints: tc.items,
				NotApplicable: tc.na})
			require.NoError(t, err)
			assert.Equal(t, tc.scaled, res.Scaled)
			assert.Equal(t, tc.outcome, res.Outcome)
			assert.Equal(t, tc.critical, res.CriticalErrors)
		})
	}
}

func TestEvaluateErrors(t *testing.T) {
	nan := func() float64 { var z float64; return z / z }()
	tests := []struct {
		name   string
		rubric func(*Rubric)
		input  Input
		want   error
	}{
		{name: "no domains", rubric: func(r *Rubric) { r.Domains = nil }, want: ErrNoDomains},
		{name: "duplicate domain", rubric: func(r *Rubric) { r.Domains[1].Code = "history_taking" },
			want: ErrDomainCode},
		{name: "domain code with colon", rubric: func(r *Rubric) { r.Domains[1].Code = "a:b" },
			want: ErrDomainCode},
		{name: "zero max", rubric: func(r *Rubric) { r.Domains[0].MaxPoints = 0 }, want: ErrMaxPoints},
		{name: "negative weight", rubric: func(r *Rubric) { r.Domains[0].Weight = -1 }, want: ErrWeight},
		{name: "zero weights", rubric: func(r *Rubric) {
			for i := range r.Domains {
				r.Domains[i].Weight = 0
			}
		}, want: ErrWeightSum},
		{name: "minimum above one", rubric: func(r *Rubric) { r.Domains[0].Minimum = ptr(1.5) },
			want: ErrMinimum},
		{name: "threshold with 5 decimals", rubric: func(r *Rubric) { r.Threshold = 0.70001 },
			want: ErrThreshold},
		{name: "threshold NaN", rubric: func(r *Rubric) { r.Threshold = nan }, want: ErrNotFinite},
		{name: "cap at threshold", rubric: func(r *Rubric) { r.Critical.Cap = 0.7 }, want: ErrCap},
		{name: "cap above threshold ignored when not capping",
			rubric: func(r *Rubric) { r.Critical = CriticalRule{Action: CriticalFail, Cap: 0.9} },
			input:  Input{Points: points(1, 1, 1, 1, 1)}},
		{name: "hurdle cap at threshold",
			rubric: func(r *Rubric) { r.HurdleAction = HurdleCap; r.HurdleCap = ptr(0.8) }, want: ErrCap},
		{name: "unknown aggregation", rubric: func(r *Rubric) { r.Aggregation = "median" },
			want: ErrAggregation},
		{name: "unknown critical action", rubric: func(r *Rubric) { r.Critical.Action = "warn" },
			want: ErrCriticalAction},
		{name: "unknown hurdle action", rubric: func(r *Rubric) { r.HurdleAction = "warn" },
			want: ErrHurdleAction},
		{name: "penalty too precise",
			rubric: func(r *Rubric) { r.Penalties = Penalties{SeverityMinor: 0.00001} }, want: ErrPenalty},
		{name: "penalty of unknown severity",
			rubric: func(r *Rubric) { r.Penalties = Penalties{Severity(9): 0.1} }, want: ErrPenalty},
		{name: "item of unknown domain", rubric: func(r *Rubric) {
			r.Items = []Item{{ID: "x", Domain: "nope", MaxPoints: 1}}
		}, want: ErrItem},
		{name: "items do not add up", rubric: func(r *Rubric) {
			r.Items = []Item{{ID: "x", Domain: "management", MaxPoints: 1}}
		}, want: ErrItemMaxMismatch},
		{name: "unknown domain in points", input: Input{Points: map[string]float64{"nope": 1}},
			want: ErrUnknownDomain},
		{name: "unknown domain not applicable", input: Input{NotApplicable: []string{"nope"}},
			want: ErrUnknownDomain},
		{name: "every domain not applicable", input: Input{NotApplicable: []string{"history_taking",
			"physical_exam", "diagnostic_reasoning", "management", "communication"}},
			want: ErrNoApplicableDomain},
		{name: "weight left only on domains that do not apply", rubric: func(r *Rubric) {
			for i := range r.Domains[1:] {
				r.Domains[i+1].Weight = 0
			}
		}, input: Input{NotApplicable: []string{"history_taking"}}, want: ErrWeightSum},
		{name: "unknown item", input: Input{ItemPoints: map[string]float64{"nope": 1}},
			want: ErrUnknownItem},
		{name: "points above max", input: Input{Points: map[string]float64{"management": 10.5}},
			want: ErrPointsRange},
		{name: "negative points", input: Input{Points: map[string]float64{"management": -1}},
			want: ErrPointsRange},
		{name: "infinite points", input: Input{Points: map[string]float64{"management": math.Inf(1)}},
			want: ErrNotFinite},
		{name: "NaN points", input: Input{Points: map[string]float64{"management": nan}},
			want: ErrNotFinite},
		{name: "threshold override below cap", input: Input{Threshold: ptr(0.5)}, want: ErrCap},
		{name: "threshold override too precise", input: Input{Threshold: ptr(0.55555)},
			want: ErrThreshold},
		{name: "unknown mode", input: Input{Mode: "exam"}, want: ErrMode},
		{name: "error without severity", input: Input{Errors: []FlaggedError{{Code: "X.Y"}}},
			want: ErrSeverity},
		{name: "error with unknown status",
			input: Input{Errors: []FlaggedError{{Code: "X.Y", Severity: SeverityMinor,
				Status: "hidden"}}},
			want: ErrErrorStatus},
		{name: "error without code",
			input: Input{Errors: []FlaggedError{{Severity: SeverityMinor}}}, want: ErrErrorCode},
		{name: "dismissed error without code",
			input: Input{Errors: []FlaggedError{{Severity: SeverityMinor, Status: ErrorDismissed}}},
			want:  ErrErrorCode},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := referenceRubric()
			if tc.rubric != nil {
				tc.rubric(&r)
			}

			_, err := Evaluate(r, tc.input)
			if tc.want == nil {
				assert.NoError(t, err)
				return
			}

			require.Error(t, err)
			assert.ErrorIs(t, err, tc.want)
			var ve *ValidationError
			assert.True(t, errors.As(err, &ve), "typed error")
		})
	}
}

func TestEvaluateBadThresholdReportsNoCapError(t *testing.T) {
	nan := func() float64 { var z float64; return z / z }()
	tests := []struct {
		name      string
		threshold float64
		want      error
	}{
		{name: "NaN", threshold: nan, want: ErrNotFinite},
		{name: "negative", threshold: -0.1, want: ErrThreshold},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := referenceRubric()
			r.Threshold = tc.threshold
			_, err := Evaluate(r, Input{Points: points(16, 7, 6, 8, 9)})
			require.ErrorIs(t, err, tc.want)
			assert.NotErrorIs(t, err, ErrCap)
		})
	}
}

func TestEvaluatePointsConflict(t *testing.T) {
	r := referenceRubric()
	r.Items = []Item{{ID: "mg.plan", Domain: "management", MaxPoints: 10}}
	_, err := Evaluate(r, Input{Points: map[string]float64{"management": 5},
		ItemPoints: map[string]float64{"mg.plan": 5}})
	assert.ErrorIs(t, err, ErrPointsConflict)
}

func TestValidationErrorMessage(t *testing.T) {
	r := referenceRubric()
	r.Domains[2].Weight = -4
	err := r.Validate()
	require.Error(t, err)
	assert.Equal(t, `scoring: domains[2].weight: weight must not be negative ("-4")`, err.Error())
}

func TestRound(t *testing.T) {
	tests := []struct {
		name     string
		num, den int64
		decimals int
		want     float64
	}{
		{name: "half up", num: 64375, den: 100000, decimals: 4, want: 0.6438},
		{name: "half away from zero negative", num: -64375, den: 100000, decimals: 4, want: -0.6438},
		{name: "below half", num: 643749, den: 1000000, decimals: 4, want: 0.6437},
		{name: "thirds", num: 2, den: 3, decimals: 2, want: 0.67},
		{name: "integer", num: 5, den: 1, decimals: 4, want: 5},
		{name: "negative decimals count as zero", num: 5, den: 2, decimals: -1, want: 3},
		{name: "many decimals", num: 1, den: 3, decimals: 6, want: 0.333333},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, Round(big.NewRat(tc.num, tc.den), tc.decimals))
		})
	}
}

func TestExact(t *testing.T) {
	r, err := Exact(0.7)
	require.NoError(t, err)
	assert.Equal(t, "7/10", r.String())

	_, err = Exact(func() float64 { var z float64; return z / z }())
	assert.ErrorIs(t, err, ErrNotFinite)
}

func ratFrac(a, b int64) *big.Rat { return big.NewRat(a, b) }

// TestCheckThreshold checks that CheckThreshold accepts exactly the
// overrides Evaluate accepts.
func TestCheckThreshold(t *testing.T) {
	hurdle := referenceRubric()
	hurdle.HurdleAction, hurdle.HurdleCap = HurdleCap, ptr(0.65)
	bad := referenceRubric()
	bad.Threshold = 1.5

	for _, tc := range []struct {
		name      string
		rubric    Rubric
		threshold float64
		field     string
		want      error
	}{
		{"above the cap", referenceRubric(), 0.6, "", nil},
		{"four decimals", referenceRubric(), 0.5001, "", nil},
		{"one", referenceRubric(), 1, "", nil},
		{"at the cap", referenceRubric(), 0.5, "critical.cap", ErrCap},
		{"below the cap", referenceRubric(), 0.3, "critical.cap", ErrCap},
		{"zero", referenceRubric(), 0, "critical.cap", ErrCap},
		{"at the hurdle cap", hurdle, 0.65, "hurdle_cap", ErrCap},
		{"five decimals", referenceRubric(), 0.12345, "threshold", ErrThreshold},
		{"above one", referenceRubric(), 1.01, "threshold", ErrThreshold},
		{"negative", referenceRubric(), -0.1, "threshold", ErrThreshold},
		{"NaN", referenceRubric(), math.NaN(), "threshold", ErrNotFinite},
		{"bad rubric", bad, 0.8, "threshold", ErrThreshold},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.rubric.CheckThreshold(tc.threshold)
			_, evalErr := Evaluate(tc.rubric, Input{
				Points: points(20, 10, 8, 10, 12), Threshold: &tc.threshold,
			})
			if tc.want == nil {
				require.NoError(t, err)
				require.NoError(t, evalErr, "Evaluate refuses what CheckThreshold accepts")
				return
			}

			require.ErrorIs(t, err, tc.want)
			require.ErrorIs(t, evalErr, tc.want)
			var v *ValidationError
			require.ErrorAs(t, err, &v)
			assert.Equal(t, tc.field, v.Field)
		})
	}
}

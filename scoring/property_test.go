package scoring

import (
	"math/big"
	"math/rand"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// randomCase draws a valid rubric and input from rng.
func randomCase(rng *rand.Rand) (Rubric, Input) {
	n := 1 + rng.Intn(8)
	r := Rubric{
		Aggregation:  []Aggregation{AggregationWeightedDomains, AggregationPoints}[rng.Intn(2)],
		Threshold:    float64(5000+rng.Intn(4000)) / 10000,
		HurdleAction: []HurdleAction{HurdleFlag, HurdleCap}[rng.Intn(2)],
		Penalties:    Penalties{SeverityMinor: 0.01, SeverityModerate: 0.05, SeverityMajor: 0.1},
	}
	actions := []CriticalAction{CriticalCap, CriticalZero, CriticalFail, CriticalNone}
	r.Critical = CriticalRule{Action: actions[rng.Intn(4)], Cap: float64(rng.Intn(5000)) / 10000}
	in := Input{Points: map[string]float64{}}
	for i := range n {
		code := string(rune('a' + i))
		d := Domain{Code: code, MaxPoints: float64(1+rng.Intn(40)) / 2, Weight: 1 + rng.Intn(30)}
		if rng.Intn(3) == 0 {
			d.Minimum = ptr(float64(rng.Intn(10001)) / 10000)
		}

		r.Domains = append(r.Domains, d)
		in.Points[code] = float64(rng.Intn(int(d.MaxPoints*2)+1)) / 2
	}

	for range rng.Intn(4) {
		in.Errors = append(in.Errors, FlaggedError{Code: "HX.RANDOM",
			Severity: Severity(1 + rng.Intn(4)), Critical: rng.Intn(4) == 0})
	}

	if rng.Intn(2) == 0 {
		in.Mode = ModePractice
	}

	return r, in
}

// exactOf returns the exact, unrounded scores of evaluating in against r.
func exactOf(t *testing.T, r Rubric, in Input) (exactScores, *big.Rat) {
	t.Helper()
	p, err := compile(r)
	require.NoError(t, err)
	ev, err := p.read(in)
	require.NoError(t, err)

	return ev.exact(), ev.threshold
}

// TestEvaluateProperties checks the properties on exact values, so that no
// draw can fail (or pass) one by rounding: an uncapped score of cap + 0.00004
// rounds to the cap, yet the cap lowered it.
func TestEvaluateProperties(t *testing.T) {
	rng := rand.New(rand.NewSource(20240601))
	for i := range 2000 {
		r, in := randomCase(rng)
		res, err := Evaluate(r, in)
		require.NoError(t, err, "case %d", i)
		x, threshold := exactOf(t, r, in)
		assert.Equal(t, x.final.RatString(), res.ScaledExact, "the result carries the exact score")

		assert.GreaterOrEqual(t, x.final.Sign(), 0, "final within [0, 1]")
		assert.LessOrEqual(t, x.final.Cmp(ratOne), 0, "final within [0, 1]")
		assert.LessOrEqual(t, x.final.Cmp(x.uncapped), 0, "a cap never raises the score")
		assert.Equal(t, res.CapApplied, x.final.Cmp(x.uncapped) < 0, "cap applied iff lowered")
		if res.Outcome == OutcomePassed {
			assert.GreaterOrEqual(t, x.final.Cmp(threshold), 0, "passed implies final >= threshold")
			assert.Empty(t, res.FailReasons)
		}

		if res.Outcome == OutcomeFailed {
			assert.NotEmpty(t, res.FailReasons, "a fail has a reason")
		}

		// Raising any domain's points never lowers the uncapped score.
		d := r.Domains[rng.Intn(len(r.Domains))]
		raised := Input{Points: map[string]float64{}, Errors: in.Errors, Mode: in.Mode}
		for k, v := range in.Points {
			raised.Points[k] = v
		}

		room := int((d.MaxPoints - in.Points[d.Code]) * 2)
		raised.Points[d.Code] = in.Points[d.Code] + float64(rng.Intn(room+1))/2
		higher, _ := exactOf(t, r, raised)
		assert.GreaterOrEqual(t, higher.uncapped.Cmp(x.uncapped), 0,
			"monotone in points (case %d)", i)
	}
}

// TestCapAppliedJustAboveCap is the draw that rounded comparisons got
// wrong: an uncapped score of cap + 0.00004 rounds to the cap.
func TestCapAppliedJustAboveCap(t *testing.T) {
	r := Rubric{Domains: []Domain{{Code: "a", MaxPoints: 100000, Weight: 1}}, Threshold: 0.7,
		Critical: CriticalRule{Action: CriticalCap, Cap: 0.5}}
	in := Input{Points: map[string]float64{"a": 50004},
		Errors: []FlaggedError{{Code: "MED.X", Severity: SeverityMajor, Critical: true}}}
	res, err := Evaluate(r, in)
	require.NoError(t, err)
	assert.Equal(t, res.Scaled, res.Uncapped, "equal once rounded")
	assert.True(t, res.CapApplied)

	x, _ := exactOf(t, r, in)
	assert.Equal(t, res.CapApplied, x.final.Cmp(x.uncapped) < 0, "cap applied iff lowered")
}

func TestRoundMatchesDecimalHalfAwayFromZero(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	for range 1000 {
		// k + 0.5 ulps at 4 decimals: exact halves must round away from zero.
		k := rng.Int63n(1_000_000) - 500_000
		r := ratFrac(2*k+1, 20000)
		want := float64(k+1) / 10000
		if k < 0 {
			want = float64(k) / 10000
		}

		assert.Equal(t, want, Round(r, 4), "k=%d", k)
	}
}

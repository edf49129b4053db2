package scoring

import (
	"math/big"
	"strconv"
	"time"
)

// AttemptPolicy says which attempt is a learner's grade.
type AttemptPolicy string

// Attempt policies. The zero value counts as PolicyBest.
const (
	// PolicyBest reports the best attempt: passed before any other outcome,
	// then the higher score, then the earlier end, then the lower number.
	PolicyBest AttemptPolicy = "best"
	// PolicyLast reports the attempt with the highest number.
	PolicyLast AttemptPolicy = "last"
	// PolicyFirst reports the attempt with the lowest number.
	PolicyFirst AttemptPolicy = "first"
	// PolicyMean reports the mean of all attempts' scores.
	PolicyMean AttemptPolicy = "mean"
)

// UnmarshalText accepts the policies and rejects anything else, including
// the empty string, with ErrUnknownValue.
func (p *AttemptPolicy) UnmarshalText(text []byte) error {
	return decodeEnum(p, text, "attempt_policy",
		PolicyBest, PolicyLast, PolicyFirst, PolicyMean)
}

// Attempt is one graded attempt of a learner at a case.
type Attempt struct {
	// Number is the 1-based attempt number, unique per learner and case.
	Number int `json:"number"`
	// Ended is when the attempt ended.
	Ended time.Time `json:"ended"`
	// Scaled is the attempt's final scaled score, in [0, 1].
	Scaled float64 `json:"scaled"`
	// ScaledExact is the exact final score Scaled was rounded from
	// (Result.ScaledExact), or empty; when set, policies rank and average
	// exact scores, so that the grade is rounded only once.
	ScaledExact string `json:"scaled_exact,omitempty"`
	// Outcome is the attempt's outcome.
	Outcome Outcome `json:"outcome"`
	// Threshold is the threshold the attempt was judged against, in [0, 1];
	// the mean policy judges the mean against the latest attempt's.
	Threshold float64 `json:"threshold"`
}

// AttemptFromResult returns the Attempt of a graded Result.
func AttemptFromResult(number int, ended time.Time, r Result) Attempt {
	return Attempt{Number: number, Ended: ended, Scaled: r.Scaled, ScaledExact: r.ScaledExact,
		Outcome: r.Outcome, Threshold: r.Threshold}
}

// Selection is the grade an attempt policy gives a learner.
type Selection struct {
	// Policy is the policy applied.
	Policy AttemptPolicy `json:"policy"`
	// Attempt is the reporting attempt; nil under the mean policy.
	Attempt *Attempt `json:"attempt"`
	// Scaled is the reporting attempt's score, or the mean rounded to 4
	// decimals.
	Scaled float64 `json:"scaled"`
	// ScaledExact is the exact score Scaled was rounded from, as a fraction
	// in lowest terms (CaseResult.ScaledExact takes it); empty in the rare
	// case that the fraction is longer than 1024 characters.
	ScaledExact string `json:"scaled_exact"`
	// Percent is Scaled as a percent rounded to 2 decimals.
	Percent float64 `json:"percent"`
	// Outcome is the reporting attempt's outcome, or the mean's (see
	// PolicyMean in SelectAttempt).
	Outcome Outcome `json:"outcome"`
	// Attempts is the number of attempts considered.
	Attempts int `json:"attempts"`
}

// SelectAttempt applies policy p to a learner's graded attempts at one case
// (in any order) and returns the learner's grade.
//
// Scores are taken exactly: an attempt's ScaledExact when set, else its
// rounded Scaled. Under PolicyMean the score is the exact mean of the
// attempts' scores, rounded once; its outcome is not_applicable when every
// attempt is, else passed when the mean reaches the threshold of the
// highest-numbered attempt, else failed.
//
// NOTE: the mean policy judges the mean score only: critical errors and
// hurdles of single attempts do not carry into its outcome.
func SelectAttempt(p AttemptPolicy, attempts []Attempt) (Selection, error) {
	if p == "" {
		p = PolicyBest
	}

	exact, err := checkAttempts(p, attempts)
	if err != nil {
		return Selection{}, err
	}

	sel := Selection{Policy: p, Attempts: len(attempts)}
	if p == PolicyMean {
		return meanSelection(sel, attempts, exact), nil
	}

	pick := 0
	for i := range attempts {
		if better(p, attempts[i], attempts[pick], exact[i], exact[pick]) {
			pick = i
		}
	}

	a := attempts[pick]
	sel.Attempt = &a
	sel.Scaled, sel.ScaledExact = roundScaled(exact[pick]), exactString(exact[pick])
	sel.Percent = roundPercent(exact[pick])
	sel.Outcome = a.Outcome

	return sel, nil
}

func checkAttempts(p AttemptPolicy, attempts []Attempt) ([]*big.Rat, error) {
	switch p {
	case PolicyBest, PolicyLast, PolicyFirst, PolicyMean:
	default:
		return nil, invalid("policy", string(p), ErrPolicy)
	}

	if len(attempts) == 0 {
		return nil, ErrNoAttempts
	}

	seen := make(map[int]bool, len(attempts))
	exact := make([]*big.Rat, len(attempts))
	for i, a := range attempts {
		field := "attempts[" + strconv.Itoa(i) + "]"
		r, err := exactScore(a.Scaled, a.ScaledExact)
		switch {
		case err != nil && a.ScaledExact != "":
			return nil, invalid(field+".scaled_exact", a.ScaledExact, ErrAttempt)
		case a.Number < 1 || seen[a.Number]:
			return nil, invalid(field+".number", strconv.Itoa(a.Number), ErrAttempt)
		case err != nil || r.Sign() < 0 || r.Cmp(ratOne) > 0:
			return nil, invalid(field+".scaled", fmtFloat(a.Scaled), ErrAttempt)
		case !a.Outcome.valid():
			return nil, invalid(field+".outcome", string(a.Outcome), ErrAttempt)
		case !validThreshold(a.Threshold):
			return nil, invalid(field+".threshold", fmtFloat(a.Threshold), ErrAttempt)
		}

		seen[a.Number] = true
		exact[i] = r
	}

	return exact, nil
}

// exactScore is the exact value of a rounded score: exact, which must be a
// fraction in [0, 1] in lowest terms that rounds to scaled, when set; else
// the exact value of scaled.
func exactScore(scaled float64, exact string) (*big.Rat, error) {
	if exact != "" {
		return parseScaledExact(exact, scaled)
	}

	return Exact(scaled)
}

// exactString is x as ScaledExact writes it, or empty when that would be
// longer than a ScaledExact may be (a mean of long fractions), so that
// every Selection is accepted as a CaseResult.
func exactString(x *big.Rat) string {
	if s := x.RatString(); len(s) <= maxExactLen {
		return s
	}

	return ""
}

// validThreshold reports whether f is a finite number in [0, 1].
func validThreshold(f float64) bool {
	r, err := Exact(f)

	return err == nil && r.Sign() >= 0 && r.Cmp(ratOne) <= 0
}

// better reports whether a ranks before b under policy p.
func better(p AttemptPolicy, a, b Attempt, sa, sb *big.Rat) bool {
	switch p {
	case PolicyFirst:
		return a.Number < b.Number
	case PolicyLast:
		return a.Number > b.Number
	}

	if pa, pb := a.Outcome == OutcomePassed, b.Outcome == OutcomePassed; pa != pb {
		return pa
	}

	if c := sa.Cmp(sb); c != 0 {
		return c > 0
	}

	if !a.Ended.Equal(b.Ended) {
		return a.Ended.Before(b.Ended)
	}

	return a.Number < b.Number
}

func meanSelection(sel Selection, attempts []Attempt, exact []*big.Rat) Selection {
	sum := new(big.Rat)
	latest := 0
	allNA := true
	for i, a := range attempts {
		sum.Add(sum, exact[i])
		if a.Number > attempts[latest].Number {
			latest = i
		}

		allNA = allNA && a.Outcome == OutcomeNotApplicable
	}

	mean := sum.Quo(sum, big.NewRat(int64(len(attempts)), 1))
	sel.Scaled, sel.ScaledExact = roundScaled(mean), exactString(mean)
	sel.Percent = roundPercent(mean)

	threshold, err := Exact(attempts[latest].Threshold)
	switch {
	case allNA:
		sel.Outcome = OutcomeNotApplicable
	case err != nil:
		sel.Outcome = OutcomeUnknown
	case mean.Cmp(threshold) >= 0:
		sel.Outcome = OutcomePassed
	default:
		sel.Outcome = OutcomeFailed
	}

	return sel
}

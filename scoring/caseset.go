package scoring

import (
	"math/big"
	"strconv"
)

// SetCompletion is how a case set counts as completed.
type SetCompletion string

// Case set completion rules. The zero value counts as CompleteAllRequired.
const (
	// CompleteAllRequired needs every required case completed; when no case
	// is marked Required, every case is required.
	CompleteAllRequired SetCompletion = "all_required"
	// CompleteNOfM needs at least N cases completed, every case marked
	// Required among them. When no case is marked, any N cases will do.
	CompleteNOfM SetCompletion = "n_of_m"
)

// UnmarshalText accepts the completion rules and rejects anything else,
// including the empty string, with ErrUnknownValue.
func (c *SetCompletion) UnmarshalText(text []byte) error {
	return decodeEnum(c, text, "completion", CompleteAllRequired, CompleteNOfM)
}

// SetPass is how a completed case set counts as passed.
type SetPass string

// Case set pass rules. The zero value counts as PassAllRequired.
const (
	// PassAllRequired needs every required case passed. Under n_of_m
	// completion it needs at least N cases passed, every case marked
	// Required among them: "pass any 2 of these 3 cases", where a failed
	// extra case does not sink a set that N passed cases carry.
	PassAllRequired SetPass = "all_required_passed"
	// PassWeightedMean needs the weighted mean score of the completed cases
	// to reach the rule's Threshold, which must be given.
	PassWeightedMean SetPass = "weighted_mean"
)

// UnmarshalText accepts the pass rules and rejects anything else, including
// the empty string, with ErrUnknownValue.
func (p *SetPass) UnmarshalText(text []byte) error {
	return decodeEnum(p, text, "pass", PassAllRequired, PassWeightedMean)
}

// CaseSetRule is how a case set is judged. A value that belongs to another
// rule (N without n_of_m, Threshold without weighted_mean) is refused
// rather than ignored, so a rule never silently means less than it says.
type CaseSetRule struct {
	// Completion is all_required (the zero value) or n_of_m.
	Completion SetCompletion `json:"completion,omitempty"`
	// N is the number of cases n_of_m needs, in [1, number of cases]; it
	// must be 0 under all_required.
	N int `json:"n,omitempty"`
	// Pass is all_required_passed (the zero value) or weighted_mean.
	Pass SetPass `json:"pass,omitempty"`
	// Threshold is the weighted_mean threshold, in [0, 1] with at most 4
	// decimals. It is required under weighted_mean (nil is an error, never
	// a threshold of 0) and must be nil under all_required_passed. An
	// explicit 0 is allowed: it passes every completed set, a choice the
	// designer has to spell out.
	Threshold *float64 `json:"threshold,omitempty"`
}

// CaseResult is a learner's reporting result for one case of a set, as
// chosen by the attempt policy.
type CaseResult struct {
	// CaseID identifies the case.
	CaseID string `json:"case_id"`
	// Required marks a case the set requires. When no case of a set is
	// marked, every case counts as required under all_required completion,
	// and no case does under n_of_m (any N cases count); see
	// EvaluateCaseSet.
	Required bool `json:"required"`
	// Weight is the case's non-negative weight under weighted_mean. When
	// every completed case has weight 0 they count equally.
	Weight int `json:"weight"`
	// Completed reports whether the learner has a graded attempt.
	Completed bool `json:"completed"`
	// Scaled is the reporting score, in [0, 1]; ignored unless Completed.
	Scaled float64 `json:"scaled"`
	// ScaledExact is the exact score Scaled was rounded from
	// (Selection.ScaledExact), or empty; when set, weighted_mean averages
	// it, so that the set's score is rounded only once.
	ScaledExact string `json:"scaled_exact,omitempty"`
	// Outcome is the reporting outcome; ignored unless Completed.
	Outcome Outcome `json:"outcome"`
}

// CaseSetResult is the verdict on a case set.
type CaseSetResult struct {
	// Completed reports whether the completion rule is met.
	Completed bool `json:"completed"`
	// Outcome is unknown until the set is completed, then passed or failed
	// (not_applicable when every completed case is).
	Outcome Outcome `json:"outcome"`
	// Scaled is the weighted mean score of the completed cases, rounded to
	// 4 decimals; nil when no case is completed.
	Scaled *float64 `json:"scaled"`
	// CompletedCases counts the completed cases.
	CompletedCases int `json:"completed_cases"`
	// PassedCases counts the completed cases that passed.
	PassedCases int `json:"passed_cases"`
	// RequiredCases counts the required cases: the cases marked Required,
	// or every case when none is marked under all_required completion.
	RequiredCases int `json:"required_cases"`
}

// EvaluateCaseSet judges a case set from its per-case results. The weighted
// mean is taken, exactly, over the completed cases only.
//
// Completion and pass under each rule, with R the cases marked Required:
//
//   - all_required + all_required_passed: every case of R completed and
//     passed; when R is empty, every case.
//   - n_of_m + all_required_passed: at least N cases completed and at least
//     N passed, every case of R among them. When R is empty, any N cases:
//     with 2 of 3, two passed cases pass the set even if the third failed,
//     and one passed and one failed case (the third open) make a completed
//     but failed set until a second case passes.
//   - weighted_mean: completion as above; passed when the weighted mean of
//     the completed cases reaches the threshold.
//
// A set is never passed by default because nothing was marked: with R
// empty, all_required needs every case and n_of_m needs N of them.
func EvaluateCaseSet(rule CaseSetRule, cases []CaseResult) (CaseSetResult, error) {
	threshold, err := checkCaseSet(&rule, cases)
	if err != nil {
		return CaseSetResult{}, err
	}

	everyRequired := rule.Completion == CompleteAllRequired && !anyRequired(cases)
	var res CaseSetResult
	requiredDone, requiredPassed, allNA := true, true, true
	for _, c := range cases {
		if c.Required || everyRequired {
			res.RequiredCases++
			requiredDone = requiredDone && c.Completed
			requiredPassed = requiredPassed && c.Completed && c.Outcome == OutcomePassed
		}

		if c.Completed {
			res.CompletedCases++
			allNA = allNA && c.Outcome == OutcomeNotApplicable
			if c.Outcome == OutcomePassed {
				res.PassedCases++
			}
		}
	}

	res.Completed = requiredDone
	passed := requiredPassed
	if rule.Completion == CompleteNOfM {
		res.Completed = requiredDone && res.CompletedCases >= rule.N
		passed = requiredPassed && res.PassedCases >= rule.N
	}

	mean := weightedMean(cases)
	if mean != nil {
		s := roundScaled(mean)
		res.Scaled = &s
	}

	if rule.Pass == PassWeightedMean {
		passed = mean != nil && mean.Cmp(threshold) >= 0
	}

	res.Outcome = setOutcome(res.Completed, allNA, passed)

	return res, nil
}

// anyRequired reports whether some case is marked Required.
func anyRequired(cases []CaseResult) bool {
	for _, c := range cases {
		if c.Required {
			return true
		}
	}

	return false
}

func setOutcome(completed, allNA, passed bool) Outcome {
	switch {
	case !completed:
		return OutcomeUnknown
	case allNA:
		return OutcomeNotApplicable
	case passed:
		return OutcomePassed
	default:
		return OutcomeFailed
	}
}

func checkCaseSet(rule *CaseSetRule, cases []CaseResult) (*big.Rat, error) {
	if rule.Completion == "" {
		rule.Completion = CompleteAllRequired
	}

	if rule.Pass == "" {
		rule.Pass = PassAllRequired
	}

	threshold, err := checkSetThreshold(rule)
	switch {
	case err != nil:
		return nil, err
	case rule.Completion != CompleteAllRequired && rule.Completion != CompleteNOfM:
		return nil, invalid("completion", string(rule.Completion), ErrCaseSetRule)
	case len(cases) == 0:
		return nil, ErrNoCases
	case rule.Completion == CompleteNOfM && (rule.N < 1 || rule.N > len(cases)):
		return nil, invalid("n", strconv.Itoa(rule.N), ErrCaseSetRule)
	case rule.Completion != CompleteNOfM && rule.N != 0:
		return nil, invalid("n", strconv.Itoa(rule.N), ErrCaseSetRule)
	}

	for i, cr := range cases {
		field := "cases[" + strconv.Itoa(i) + "]"
		r, err := exactScore(cr.Scaled, cr.ScaledExact)
		switch {
		case cr.Weight < 0:
			return nil, invalid(field+".weight", strconv.Itoa(cr.Weight), ErrCaseResult)
		case !cr.Completed:
		case err != nil && cr.ScaledExact != "":
			return nil, invalid(field+".scaled_exact", cr.ScaledExact, ErrCaseResult)
		case err != nil || r.Sign() < 0 || r.Cmp(ratOne) > 0:
			return nil, invalid(field+".scaled", fmtFloat(cr.Scaled), ErrCaseResult)
		case !cr.Outcome.valid():
			return nil, invalid(field+".outcome", string(cr.Outcome), ErrCaseResult)
		}
	}

	return threshold, nil
}

// checkSetThreshold checks the pass rule and its threshold: required and
// valid under weighted_mean, absent otherwise. It returns the exact
// threshold, or nil under all_required_passed.
func checkSetThreshold(rule *CaseSetRule) (*big.Rat, error) {
	switch {
	case rule.Pass != PassAllRequired && rule.Pass != PassWeightedMean:
		return nil, invalid("pass", string(rule.Pass), ErrCaseSetRule)
	case rule.Pass == PassWeightedMean && rule.Threshold == nil:
		return nil, invalid("threshold", "", ErrCaseSetRule)
	case rule.Threshold == nil:
		return nil, nil
	case rule.Pass != PassWeightedMean:
		return nil, invalid("threshold", fmtFloat(*rule.Threshold), ErrCaseSetRule)
	}

	c := &checker{}
	threshold := c.fraction("threshold", *rule.Threshold, ErrCaseSetRule)
	if len(c.errs) > 0 {
		return nil, c.errs[0]
	}

	return threshold, nil
}

// weightedMean is the exact weighted mean score of the completed cases, or
// nil when none is completed. Inputs are already checked.
func weightedMean(cases []CaseResult) *big.Rat {
	sum, weights := new(big.Rat), new(big.Rat)
	equal := true
	for _, c := range cases {
		if c.Completed && c.Weight > 0 {
			equal = false
		}
	}

	for _, c := range cases {
		if !c.Completed {
			continue
		}

		w := big.NewRat(int64(c.Weight), 1)
		if equal {
			w.SetInt64(1)
		}

		s, _ := exactScore(c.Scaled, c.ScaledExact)
		sum.Add(sum, s.Mul(s, w))
		weights.Add(weights, w)
	}

	if weights.Sign() == 0 {
		return nil
	}

	return sum.Quo(sum, weights)
}

package scoring

import (
	"math/big"
	"strings"

	jsonv2 "github.com/go-json-experiment/json"
)

// Fail reasons, in the order they appear in Result.FailReasons.
const (
	// ReasonBelowThreshold means the uncapped score is below the threshold.
	ReasonBelowThreshold = "below_threshold"
	// ReasonCriticalError means a critical error (or a missed critical
	// checklist item) applied the critical action.
	ReasonCriticalError = "critical_error"
	// ReasonHurdlePrefix starts the reason of a missed hurdle, followed by
	// the domain code: "hurdle:communication".
	ReasonHurdlePrefix = "hurdle:"
)

// HurdleReason returns the fail reason of a missed hurdle in domain.
func HurdleReason(domain string) string { return ReasonHurdlePrefix + domain }

// Result is the outcome of Evaluate. Its JSON form has stable snake_case
// names, scaled values rounded to 4 decimals, percents to 2, the exact final
// score as a fraction, and enums as strings; it decodes back to an equal
// Result.
//
// NOTE: every number is rounded once from the exact value, and the outcome
// is judged on exact values, so a result can fail with a Scaled that
// rounds up to the threshold (0.69996 shows as 0.7000 but is below 0.70).
// Values derived from the final score, such as an LTI scoreGiven, are
// computed from ScaledExact so that they too are rounded only once.
type Result struct {
	// Aggregation is the aggregation used. Evaluate always sets it; empty
	// only in a Result built by hand, and then omitted from JSON.
	Aggregation Aggregation `json:"aggregation,omitempty"`
	// Mode is the mode of the evaluation. Evaluate always sets it; empty
	// only in a Result built by hand, and then omitted from JSON.
	Mode Mode `json:"mode,omitempty"`
	// Points is the sum of points over the applicable domains.
	Points float64 `json:"points"`
	// MaxPoints is the sum of max points over the applicable domains.
	MaxPoints float64 `json:"max_points"`
	// Scaled is the final scaled score in [0, 1], after penalties, critical
	// action and hurdle cap.
	Scaled float64 `json:"scaled"`
	// ScaledExact is the exact final score Scaled was rounded from, as a
	// fraction in lowest terms ("103/160", "1/2", "1", "0"): what a parser
	// of rationals (big.Rat, Python's Fraction) reads exactly. Evaluate
	// always sets it; it is empty, and omitted from JSON, in a Result built
	// by hand, whose mappers then fall back to Scaled.
	ScaledExact string `json:"scaled_exact,omitempty"`
	// Uncapped is the scaled score after penalties, before any cap.
	Uncapped float64 `json:"uncapped_scaled"`
	// Penalty is the amount the penalties took off the aggregate score.
	Penalty float64 `json:"penalty"`
	// Percent is Scaled as a percent, rounded to 2 decimals from the exact
	// value.
	Percent float64 `json:"percent"`
	// CapApplied reports whether a critical action or a hurdle cap lowered
	// the score below the uncapped score.
	CapApplied bool `json:"cap_applied"`
	// Threshold is the threshold in force: the override or the rubric's.
	// With OutcomeNotApplicable it is the rubric's, for information only.
	Threshold float64 `json:"threshold"`
	// Outcome is passed, failed or not_applicable.
	Outcome Outcome `json:"outcome"`
	// FailReasons lists below_threshold, critical_error and hurdle:<domain>
	// reasons in that order; empty (never null) unless Outcome is failed.
	FailReasons []string `json:"fail_reasons"`
	// CriticalErrors counts the active critical flagged errors and the
	// missed critical checklist items.
	CriticalErrors int `json:"critical_errors"`
	// SubScores holds one entry per rubric domain, in rubric order.
	SubScores []SubScore `json:"sub_scores"`
}

// SubScore is one domain's part of a Result.
type SubScore struct {
	// Domain is the domain code.
	Domain string `json:"domain"`
	// Applicable is false for a domain the input marked as not applicable;
	// its points, scores, share and contribution are then 0 (MaxPoints and
	// Weight still show the rubric) and it takes no part in the score.
	Applicable bool `json:"applicable"`
	// Points are the points awarded.
	Points float64 `json:"points"`
	// MaxPoints are the domain's max points.
	MaxPoints float64 `json:"max_points"`
	// Scaled is points / max points.
	Scaled float64 `json:"scaled"`
	// Percent is Scaled as a percent.
	Percent float64 `json:"percent"`
	// Weight is the rubric's integer weight.
	Weight int `json:"weight"`
	// Share is the domain's share of the aggregate: weight / Σ weights under
	// weighted_domains, max / Σ max under points, renormalised over the
	// applicable domains.
	Share float64 `json:"share"`
	// Contribution is Share × Scaled: what the domain adds to the aggregate
	// score before penalties and caps.
	Contribution float64 `json:"contribution"`
	// Minimum is the domain's hurdle, or nil.
	Minimum *float64 `json:"minimum"`
	// Hurdle is none, met or missed.
	Hurdle HurdleResult `json:"hurdle"`
}

// UnmarshalJSON decodes the form Result is encoded in, with member names
// matched exactly (case-sensitively) and each name at most once. It rejects
// with ErrUnknownValue a missing, empty or unknown outcome, an empty or
// unknown mode, aggregation or hurdle, and unknown fail reasons. Mode,
// aggregation and scaled_exact may be absent; an empty scaled_exact, or one
// that is not a fraction in lowest terms within [0, 1] rounding to scaled,
// is rejected with ErrScaledExact. It reads a missing sub-score hurdle as
// none and turns null lists into empty ones.
func (r *Result) UnmarshalJSON(data []byte) error {
	type plain Result
	var w struct {
		plain
		ScaledExact *string `json:"scaled_exact"`
	}
	if err := jsonv2.Unmarshal(data, &w); err != nil {
		return err
	}

	p := w.plain
	if p.Outcome == "" {
		return invalid("outcome", "", ErrUnknownValue)
	}

	for _, reason := range p.FailReasons {
		known := reason == ReasonBelowThreshold || reason == ReasonCriticalError ||
			(strings.HasPrefix(reason, ReasonHurdlePrefix) && len(reason) > len(ReasonHurdlePrefix))
		if !known {
			return invalid("fail_reasons", reason, ErrUnknownValue)
		}
	}

	if w.ScaledExact != nil {
		if _, err := parseScaledExact(*w.ScaledExact, p.Scaled); err != nil {
			return err
		}

		p.ScaledExact = *w.ScaledExact
	}

	if p.FailReasons == nil {
		p.FailReasons = []string{}
	}

	if p.SubScores == nil {
		p.SubScores = []SubScore{}
	}

	for i := range p.SubScores {
		if p.SubScores[i].Hurdle == "" {
			p.SubScores[i].Hurdle = HurdleNone
		}
	}

	*r = Result(p)

	return nil
}

// maxExactLen bounds the length of a ScaledExact read, so that parsing it
// stays cheap. Evaluate's fractions are far shorter.
const maxExactLen = 1024

// exactScaled returns the exact final score of r: ScaledExact when set,
// else the exact value of the rounded Scaled.
func (r *Result) exactScaled() (*big.Rat, error) {
	if r.ScaledExact != "" {
		return parseScaledExact(r.ScaledExact, r.Scaled)
	}

	x, err := Exact(r.Scaled)
	if err != nil {
		return nil, invalid("result.scaled", fmtFloat(r.Scaled), ErrNotFinite)
	}

	return x, nil
}

// parseScaledExact reads s, which must be a fraction in lowest terms (as
// big.Rat.RatString writes it) within [0, 1] that rounds to scaled.
func parseScaledExact(s string, scaled float64) (*big.Rat, error) {
	bad := invalid("scaled_exact", s, ErrScaledExact)
	if len(s) == 0 || len(s) > maxExactLen {
		return nil, bad
	}

	x, ok := new(big.Rat).SetString(s)
	if !ok || x.RatString() != s || x.Sign() < 0 || x.Cmp(ratOne) > 0 {
		return nil, bad
	}

	rounded, err := Exact(scaled)
	if err != nil || RoundRat(x, ScaledDecimals).Cmp(rounded) != 0 {
		return nil, bad
	}

	return x, nil
}

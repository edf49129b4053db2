package scoring

import "slices"

// Mode says whether an evaluation counts (assessment) or is practice.
type Mode string

// Evaluation modes. The zero value counts as ModeAssessment.
const (
	// ModePractice is a practice attempt: without a threshold override its
	// outcome is not_applicable.
	ModePractice Mode = "practice"
	// ModeAssessment is an attempt judged against the pass threshold.
	ModeAssessment Mode = "assessment"
)

// UnmarshalText accepts "practice" or "assessment" and rejects anything
// else, including the empty string, with ErrUnknownValue. A field left at
// its default is omitted from JSON, never written as "".
func (m *Mode) UnmarshalText(text []byte) error {
	return decodeEnum(m, text, "mode", ModePractice, ModeAssessment)
}

// Outcome is the verdict of an evaluation.
type Outcome string

// Outcomes. Evaluate never returns OutcomeUnknown; it marks a case set or a
// selection that cannot be judged yet.
const (
	// OutcomePassed means the threshold was reached with no critical error
	// and every hurdle met.
	OutcomePassed Outcome = "passed"
	// OutcomeFailed means at least one fail reason applies.
	OutcomeFailed Outcome = "failed"
	// OutcomeNotApplicable is the outcome of practice without a threshold.
	OutcomeNotApplicable Outcome = "not_applicable"
	// OutcomeUnknown means no verdict can be given yet.
	OutcomeUnknown Outcome = "unknown"
)

// UnmarshalText accepts the four outcomes and rejects anything else,
// including the empty string, with ErrUnknownValue.
func (o *Outcome) UnmarshalText(text []byte) error {
	return decodeEnum(o, text, "outcome",
		OutcomePassed, OutcomeFailed, OutcomeNotApplicable, OutcomeUnknown)
}

func (o Outcome) valid() bool {
	switch o {
	case OutcomePassed, OutcomeFailed, OutcomeNotApplicable, OutcomeUnknown:
		return true
	}

	return false
}

// Aggregation is how domain scores combine into the total.
type Aggregation string

// Aggregations. The zero value counts as AggregationWeightedDomains.
const (
	// AggregationWeightedDomains is Σ weight·scaled / Σ weight over the
	// applicable domains.
	AggregationWeightedDomains Aggregation = "weighted_domains"
	// AggregationPoints is Σ points / Σ max points over the applicable
	// domains.
	AggregationPoints Aggregation = "points"
)

// UnmarshalText accepts the aggregations and rejects anything else,
// including the empty string, with ErrUnknownValue.
func (a *Aggregation) UnmarshalText(text []byte) error {
	return decodeEnum(a, text, "aggregation", AggregationWeightedDomains, AggregationPoints)
}

// CriticalAction is what an active critical error does to the score.
type CriticalAction string

// Critical actions. The zero value counts as CriticalCap.
const (
	// CriticalCap lowers the score to at most the rubric's cap.
	CriticalCap CriticalAction = "cap"
	// CriticalZero sets the score to 0.
	CriticalZero CriticalAction = "zero"
	// CriticalFail leaves the score unchanged and fails the outcome.
	CriticalFail CriticalAction = "fail"
	// CriticalNone ignores critical errors in scoring and outcome.
	CriticalNone CriticalAction = "none"
)

// UnmarshalText accepts the critical actions and rejects anything else,
// including the empty string, with ErrUnknownValue.
func (a *CriticalAction) UnmarshalText(text []byte) error {
	return decodeEnum(a, text, "critical_action",
		CriticalCap, CriticalZero, CriticalFail, CriticalNone)
}

// HurdleAction is what a domain below its minimum does.
type HurdleAction string

// Hurdle actions. The zero value counts as HurdleFlag.
const (
	// HurdleFlag fails the outcome and leaves the score unchanged.
	HurdleFlag HurdleAction = "flag"
	// HurdleCap fails the outcome and also caps the score.
	HurdleCap HurdleAction = "cap"
)

// UnmarshalText accepts the hurdle actions and rejects anything else,
// including the empty string, with ErrUnknownValue.
func (a *HurdleAction) UnmarshalText(text []byte) error {
	return decodeEnum(a, text, "hurdle_action", HurdleFlag, HurdleCap)
}

// HurdleResult is how a domain fared against its minimum.
type HurdleResult string

// Hurdle results.
const (
	// HurdleNone means the domain has no minimum or does not apply.
	HurdleNone HurdleResult = "none"
	// HurdleMet means the domain's scaled score reached its minimum.
	HurdleMet HurdleResult = "met"
	// HurdleMissed means the domain's scaled score is below its minimum.
	HurdleMissed HurdleResult = "missed"
)

// UnmarshalText accepts the hurdle results and rejects anything else,
// including the empty string, with ErrUnknownValue.
func (h *HurdleResult) UnmarshalText(text []byte) error {
	return decodeEnum(h, text, "hurdle", HurdleNone, HurdleMet, HurdleMissed)
}

// decodeEnum sets *dst to text when text is one of known, else returns a
// ValidationError wrapping ErrUnknownValue. The empty string is never one of
// known: an enum field that may be left out is omitted from JSON instead, so
// a missing value cannot pass for a default one.
func decodeEnum[T ~string](dst *T, text []byte, field string, known ...T) error {
	v := T(text)
	if slices.Contains(known, v) {
		*dst = v
		return nil
	}

	return invalid(field, string(text), ErrUnknownValue)
}

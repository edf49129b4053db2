package scoring

import "time"

// XAPIInput is what NewXAPIResult needs to build one xAPI/cmi5 result.
type XAPIInput struct {
	// Result is the session's result, or nil when it is not graded.
	Result *Result
	// Completed reports whether the session completed.
	Completed bool
	// Duration is the session's active duration.
	Duration time.Duration
	// MasteryScore is the cmi5 masteryScore from the launch data, or nil
	// outside cmi5 or when the LMS set none.
	MasteryScore *float64
	// Extensions are copied into the result unchanged (sub-scores and
	// flagged errors under the partner's extension IRIs).
	Extensions map[string]any
}

// XAPIResult is the "result" object of an xAPI statement.
type XAPIResult struct {
	// Score is the score object; nil for a result without a score, or when
	// cmi5 forbids sending it (a failed result at or above mastery).
	Score *XAPIScore `json:"score,omitempty"`
	// Success is true for a passed outcome, false for a failed one and nil
	// otherwise (not_applicable, unknown, or no result).
	Success *bool `json:"success,omitempty"`
	// Completion reports whether the session was completed; always set.
	Completion *bool `json:"completion,omitempty"`
	// Duration is the session's duration in ISO 8601 with hours, minutes
	// and seconds only (e.g. "PT23M45S"); empty when none was given.
	Duration string `json:"duration,omitempty"`
	// Extensions carries sub-scores and flagged errors under IRI keys, as
	// given in the input; nil when there are none.
	Extensions map[string]any `json:"extensions,omitempty"`
}

// XAPIScore is the "score" object of an xAPI result.
type XAPIScore struct {
	// Scaled is the final scaled score, in [0, 1].
	Scaled *float64 `json:"scaled,omitempty"`
	// Raw is the points scored; set only under points aggregation with no
	// penalty and no cap, so that Raw/Max equals Scaled.
	Raw *float64 `json:"raw,omitempty"`
	// Min is the lowest possible raw score (0); set together with Raw.
	Min *float64 `json:"min,omitempty"`
	// Max is the highest possible raw score (the rubric's max points); set
	// together with Raw.
	Max *float64 `json:"max,omitempty"`
}

// NewXAPIResult maps a result to an xAPI/cmi5 statement result:
// score.scaled is the final scaled score; raw, min and max appear only
// when they agree with it (points aggregation, no penalty, no cap); success
// is set for passed and failed outcomes only; duration is ISO 8601 in
// hours, minutes and seconds.
//
// Under cmi5 a failed result never carries a score at or above the mastery
// score: such a score (a fail by critical error or hurdle) is left out
// rather than altered. The mastery score is compared with the score as
// sent (Scaled, rounded once from the exact score), which is what the LMS
// compares; no value is rounded twice. A passed result below the mastery score means the
// evaluation ignored the mastery score, and returns ErrMasteryMismatch.
func NewXAPIResult(in XAPIInput) (XAPIResult, error) {
	duration, err := ISODuration(in.Duration)
	if err != nil {
		return XAPIResult{}, err
	}

	completion := in.Completed
	out := XAPIResult{Completion: &completion, Duration: duration, Extensions: in.Extensions}
	if in.Result == nil {
		return out, nil
	}

	res := in.Result
	switch res.Outcome {
	case OutcomePassed, OutcomeFailed:
		success := res.Outcome == OutcomePassed
		out.Success = &success
	}

	withhold, err := belowMastery(res, in.MasteryScore)
	if err != nil || withhold {
		return out, err
	}

	out.Score = xapiScore(res)

	return out, nil
}

// belowMastery reports whether a failed result's score must be withheld
// because it reaches the mastery score.
func belowMastery(res *Result, mastery *float64) (bool, error) {
	if mastery == nil {
		return false, nil
	}

	m, err := Exact(*mastery)
	if err != nil {
		return false, invalid("mastery_score", fmtFloat(*mastery), ErrNotFinite)
	}

	s, err := Exact(res.Scaled)
	if err != nil {
		return false, invalid("result.scaled", fmtFloat(res.Scaled), ErrNotFinite)
	}

	reaches := s.Cmp(m) >= 0
	if res.Outcome == OutcomePassed && !reaches {
		return false, ErrMasteryMismatch
	}

	return res.Outcome == OutcomeFailed && reaches, nil
}

func xapiScore(res *Result) *XAPIScore {
	scaled := res.Scaled
	score := &XAPIScore{Scaled: &scaled}
	if res.Aggregation != AggregationPoints || res.Penalty != 0 || res.CapApplied ||
		res.MaxPoints <= 0 {
		return score
	}

	raw, lowest, highest := res.Points, 0.0, res.MaxPoints
	score.Raw, score.Min, score.Max = &raw, &lowest, &highest

	return score
}

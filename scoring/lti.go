package scoring

import (
	"math"
	"math/big"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
)

// ActivityProgress is the LTI AGS activityProgress of a score.
type ActivityProgress string

// LTI AGS activity progress values.
const (
	// ActivityInitialized means the learner has not started.
	ActivityInitialized ActivityProgress = "Initialized"
	// ActivityStarted means the learner started.
	ActivityStarted ActivityProgress = "Started"
	// ActivityInProgress means the learner is working.
	ActivityInProgress ActivityProgress = "InProgress"
	// ActivitySubmitted means the learner submitted and may resubmit.
	ActivitySubmitted ActivityProgress = "Submitted"
	// ActivityCompleted means the learner finished.
	ActivityCompleted ActivityProgress = "Completed"
)

// UnmarshalText accepts the five LTI AGS activity progress values and
// rejects anything else, including the empty string, with ErrUnknownValue.
func (a *ActivityProgress) UnmarshalText(text []byte) error {
	return decodeEnum(a, text, "activityProgress", ActivityInitialized, ActivityStarted,
		ActivityInProgress, ActivitySubmitted, ActivityCompleted)
}

// GradingProgress is the LTI AGS gradingProgress of a score; it has the
// meanings of a session's grading status.
type GradingProgress string

// LTI AGS grading progress values.
const (
	// GradingFullyGraded means the score is final.
	GradingFullyGraded GradingProgress = "FullyGraded"
	// GradingPending means automatic grading is under way.
	GradingPending GradingProgress = "Pending"
	// GradingPendingManual means a human must grade.
	GradingPendingManual GradingProgress = "PendingManual"
	// GradingFailed means grading failed.
	GradingFailed GradingProgress = "Failed"
	// GradingNotReady means there is nothing to grade yet.
	GradingNotReady GradingProgress = "NotReady"
)

// UnmarshalText accepts the five LTI AGS grading progress values and
// rejects anything else, including the empty string, with ErrUnknownValue.
func (g *GradingProgress) UnmarshalText(text []byte) error {
	return decodeEnum(g, text, "gradingProgress", GradingFullyGraded, GradingPending,
		GradingPendingManual, GradingFailed, GradingNotReady)
}

// AGSInput is what NewAGSScore needs to build one score.
type AGSInput struct {
	// UserID is the platform's LTI user id of the learner.
	UserID string
	// Result is the learner's reporting result (chosen by the attempt
	// policy), or nil for an update without a score.
	Result *Result
	// LineItemMaximum is the line item's scoreMaximum; it must be positive
	// when Result is set.
	LineItemMaximum float64
	// Activity is the activityProgress to send; it must be one of the
	// Activity... values.
	Activity ActivityProgress
	// Grading is the gradingProgress to send; it must be one of the
	// Grading... values, and is normally GradingFullyGraded with a Result.
	Grading GradingProgress
	// Comment is an optional comment shown to the learner.
	Comment string
	// Timestamp is when the score was produced.
	Timestamp time.Time
	// Previous is the timestamp of the last score sent for this learner and
	// line item, or the zero time; Timestamp must be strictly after it.
	Previous time.Time
	// GradeExists reports whether the platform already holds a grade for
	// this learner and line item.
	GradeExists bool
}

// AGSScore is an LTI Assignment and Grade Services score, ready to POST to a
// line item's scores endpoint.
type AGSScore struct {
	// UserID is the platform's LTI user id of the learner.
	UserID string `json:"userId"`
	// ScoreGiven is the exact final score times ScoreMaximum, rounded once
	// to 4 decimals; nil for an update without a score.
	ScoreGiven *float64 `json:"scoreGiven,omitempty"`
	// ScoreMaximum is the line item's maximum; nil without a score.
	ScoreMaximum *float64 `json:"scoreMaximum,omitempty"`
	// Comment is the optional comment shown to the learner.
	Comment string `json:"comment,omitempty"`
	// Timestamp is RFC 3339 in UTC with milliseconds.
	Timestamp string `json:"timestamp"`
	// ActivityProgress is the learner's progress with the activity.
	ActivityProgress ActivityProgress `json:"activityProgress"`
	// GradingProgress is the state of grading.
	GradingProgress GradingProgress `json:"gradingProgress"`
}

// UnmarshalJSON decodes the form AGSScore is encoded in, with member names
// matched exactly (case-sensitively) and each name at most once. It rejects
// a missing, empty or unknown activityProgress or gradingProgress with
// ErrUnknownValue.
func (s *AGSScore) UnmarshalJSON(data []byte) error {
	type plain AGSScore
	var p plain
	if err := jsonv2.Unmarshal(data, &p); err != nil {
		return err
	}

	if p.ActivityProgress == "" {
		return invalid("activityProgress", "", ErrUnknownValue)
	}

	if p.GradingProgress == "" {
		return invalid("gradingProgress", "", ErrUnknownValue)
	}

	*s = AGSScore(p)

	return nil
}

// agsTimestamp is RFC 3339 in UTC with milliseconds.
const agsTimestamp = "2006-01-02T15:04:05.000Z07:00"

// NewAGSScore maps a result to an LTI AGS score. scoreGiven is the exact
// final score (Result.ScaledExact) times the line item maximum, rounded
// once to 4 decimals, half away from zero: case J of the domain reference
// (exactly 0.64375) against a maximum of 7 gives 4.5063, against 100 gives
// 64.375. Being rounded from the exact score on its own scale, scoreGiven
// can differ in its last decimals from Percent or Scaled × maximum.
//
// It refuses a score-less update once a grade exists (ErrScorelessUpdate),
// a timestamp not after the previous one at the wire's millisecond
// precision (ErrTimestampOrder) and a
// ScaledExact that is malformed or does not round to Scaled
// (ErrScaledExact).
//
// NOTE: a Result without ScaledExact (built by hand, or decoded from JSON
// written before the field existed) falls back to the rounded Scaled, so
// its scoreGiven is rounded twice and can be off by up to 0.00005 times the
// maximum (4.5066 instead of 4.5063 for case J out of 7).
func NewAGSScore(in AGSInput) (AGSScore, error) {
	if err := checkProgress(in.Activity, in.Grading); err != nil {
		return AGSScore{}, err
	}

	// Compared at the wire's millisecond precision, so that two scores
	// never carry the same timestamp.
	if !in.Previous.IsZero() &&
		!in.Timestamp.Truncate(time.Millisecond).After(in.Previous.Truncate(time.Millisecond)) {
		return AGSScore{}, ErrTimestampOrder
	}

	score := AGSScore{UserID: in.UserID, Comment: in.Comment,
		Timestamp:        in.Timestamp.UTC().Format(agsTimestamp),
		ActivityProgress: in.Activity, GradingProgress: in.Grading}
	if in.Result == nil {
		if in.GradeExists {
			return AGSScore{}, ErrScorelessUpdate
		}

		return score, nil
	}

	maximum, err := Exact(in.LineItemMaximum)
	if err != nil || maximum.Sign() <= 0 || math.IsInf(in.LineItemMaximum, 0) {
		return AGSScore{}, ErrLineItemMaximum
	}

	scaled, err := in.Result.exactScaled()
	if err != nil {
		return AGSScore{}, err
	}

	given := roundScaled(new(big.Rat).Mul(scaled, maximum))
	score.ScoreGiven, score.ScoreMaximum = &given, &in.LineItemMaximum

	return score, nil
}

func checkProgress(a ActivityProgress, g GradingProgress) error {
	switch a {
	case ActivityInitialized, ActivityStarted, ActivityInProgress, ActivitySubmitted,
		ActivityCompleted:
	default:
		return invalid("activity_progress", string(a), ErrProgress)
	}

	switch g {
	case GradingFullyGraded, GradingPending, GradingPendingManual, GradingFailed,
		GradingNotReady:
	default:
		return invalid("grading_progress", string(g), ErrProgress)
	}

	return nil
}

package scoring

import (
	"math"
	"math/big"
	"time"
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
	// ScoreGiven is the scaled score times ScoreMaximum, rounded to 4
	// decimals; nil for an update without a score.
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

// agsTimestamp is RFC 3339 in UTC with milliseconds.
const agsTimestamp = "2006-01-02T15:04:05.000Z07:00"

// NewAGSScore maps a result to an LTI AGS score. scoreGiven is the
// result's reported Scaled times the line item maximum, computed exactly
// and rounded to 4 decimals, so it agrees with the Percent the partner sees.
// It refuses a score-less update once a grade exists (ErrScorelessUpdate)
// and a timestamp not after the previous one (ErrTimestampOrder).
func NewAGSScore(in AGSInput) (AGSScore, error) {
	if err := checkProgress(in.Activity, in.Grading); err != nil {
		return AGSScore{}, err
	}

	if !in.Previous.IsZero() && !in.Timestamp.After(in.Previous) {
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

	scaled, err := Exact(in.Result.Scaled)
	if err != nil {
		return AGSScore{}, invalid("result.scaled", fmtFloat(in.Result.Scaled), ErrNotFinite)
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

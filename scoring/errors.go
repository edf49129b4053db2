package scoring

import (
	"errors"
	"fmt"
	"strings"
)

// Errors returned by this package. Validation failures come wrapped in a
// *[ValidationError] that names the offending field; errors.Is finds the
// sentinel through it.
var (
	// ErrNoDomains is returned when a rubric has no domains.
	ErrNoDomains = errors.New("scoring: rubric has no domains")
	// ErrDomainCode is returned when a domain code is empty, contains a
	// colon or whitespace, or appears twice.
	ErrDomainCode = errors.New("scoring: invalid or duplicate domain code")
	// ErrMaxPoints is returned when a domain's or item's maximum points are
	// not positive.
	ErrMaxPoints = errors.New("scoring: max points must be positive")
	// ErrWeight is returned when a domain weight is negative.
	ErrWeight = errors.New("scoring: weight must not be negative")
	// ErrWeightSum is returned when the weights of the applicable domains do
	// not add up to a positive number under weighted_domains aggregation.
	ErrWeightSum = errors.New("scoring: applicable domains have no positive weight")
	// ErrNoApplicableDomain is returned when every domain is marked as not
	// applicable.
	ErrNoApplicableDomain = errors.New("scoring: no applicable domain")
	// ErrMinimum is returned when a domain minimum (hurdle) is outside
	// [0, 1] or has more than 4 decimals.
	ErrMinimum = errors.New("scoring: minimum must be in [0, 1] with at most 4 decimals")
	// ErrThreshold is returned when a pass threshold (the rubric's or an
	// override) is outside [0, 1] or has more than 4 decimals.
	ErrThreshold = errors.New("scoring: threshold must be in [0, 1] with at most 4 decimals")
	// ErrCap is returned when a cap is outside [0, 1], has more than 4
	// decimals, or is not below the threshold in force.
	ErrCap = errors.New("scoring: cap must be in [0, 1], at most 4 decimals, below threshold")
	// ErrPenalty is returned when a severity penalty is outside [0, 1], has
	// more than 4 decimals or is keyed by an unknown severity.
	ErrPenalty = errors.New("scoring: penalty must be in [0, 1] with at most 4 decimals")
	// ErrAggregation is returned for an unknown aggregation.
	ErrAggregation = errors.New("scoring: unknown aggregation")
	// ErrCriticalAction is returned for an unknown critical-error action.
	ErrCriticalAction = errors.New("scoring: unknown critical action")
	// ErrHurdleAction is returned for an unknown hurdle action.
	ErrHurdleAction = errors.New("scoring: unknown hurdle action")
	// ErrItem is returned when a checklist item has an empty or duplicate
	// id or names a domain the rubric does not have.
	ErrItem = errors.New("scoring: invalid checklist item")
	// ErrItemMaxMismatch is returned when a domain's max points differ from
	// the sum of its checklist items' max points.
	ErrItemMaxMismatch = errors.New("scoring: domain max points differ from its items' sum")
	// ErrUnknownDomain is returned when an input names a domain the rubric
	// does not have.
	ErrUnknownDomain = errors.New("scoring: unknown domain")
	// ErrUnknownItem is returned when an input names a checklist item the
	// rubric does not have.
	ErrUnknownItem = errors.New("scoring: unknown checklist item")
	// ErrPointsRange is returned when awarded points are below 0 or above
	// the maximum.
	ErrPointsRange = errors.New("scoring: points out of range")
	// ErrPointsConflict is returned when an input gives points for a domain
	// both directly and through its checklist items.
	ErrPointsConflict = errors.New("scoring: points given for both a domain and its items")
	// ErrNotFinite is returned when a number is NaN or infinite.
	ErrNotFinite = errors.New("scoring: number is NaN or infinite")
	// ErrMode is returned for an unknown evaluation mode.
	ErrMode = errors.New("scoring: unknown mode")
	// ErrSeverity is returned for a flagged error without a known severity.
	ErrSeverity = errors.New("scoring: unknown severity")
	// ErrErrorStatus is returned for a flagged error with an unknown status.
	ErrErrorStatus = errors.New("scoring: unknown flagged error status")
	// ErrErrorCode is returned for a flagged error without a code, by
	// Evaluate and when a flagged error is encoded or decoded.
	ErrErrorCode = errors.New("scoring: flagged error has no code")
	// ErrScaledExact is returned when a Result's ScaledExact is not an exact
	// score in canonical form within [0, 1], or does not round to its
	// Scaled; by Result.UnmarshalJSON and NewAGSScore.
	ErrScaledExact = errors.New("scoring: exact score invalid or not matching scaled")
	// ErrUnknownValue is returned when decoding an enum meets a value this
	// version does not know.
	ErrUnknownValue = errors.New("scoring: unknown enum value")
	// ErrPolicy is returned by SelectAttempt for an unknown attempt policy.
	ErrPolicy = errors.New("scoring: unknown attempt policy")
	// ErrNoAttempts is returned by SelectAttempt when given no attempts.
	ErrNoAttempts = errors.New("scoring: no graded attempts")
	// ErrAttempt is returned by SelectAttempt for an attempt with a number
	// below 1, a duplicate number, a score or threshold outside [0, 1] or an
	// unknown outcome.
	ErrAttempt = errors.New("scoring: invalid attempt")
	// ErrCaseSetRule is returned by EvaluateCaseSet for an unknown rule, a
	// weighted_mean rule without a threshold, an invalid threshold, a
	// threshold given with another pass rule, an n_of_m count outside [1,
	// number of cases], or a count given with another completion rule.
	ErrCaseSetRule = errors.New("scoring: invalid case set rule")
	// ErrNoCases is returned by EvaluateCaseSet when given no cases.
	ErrNoCases = errors.New("scoring: case set has no cases")
	// ErrCaseResult is returned by EvaluateCaseSet for a case result with a
	// negative weight, a score outside [0, 1] or an unknown outcome.
	ErrCaseResult = errors.New("scoring: invalid case result")
	// ErrLineItemMaximum is returned by NewAGSScore when a score is sent
	// against a line item maximum that is not positive and finite.
	ErrLineItemMaximum = errors.New("scoring: line item maximum must be positive")
	// ErrScorelessUpdate is returned by NewAGSScore when an update without a
	// score would replace a grade the platform already holds.
	ErrScorelessUpdate = errors.New("scoring: score-less update after a grade")
	// ErrTimestampOrder is returned by NewAGSScore when the timestamp is not
	// strictly after the previous one sent for the same learner and line
	// item, both taken to the millisecond as on the wire.
	ErrTimestampOrder = errors.New("scoring: timestamp not after previous score")
	// ErrProgress is returned by NewAGSScore for an unknown activity or
	// grading progress.
	ErrProgress = errors.New("scoring: unknown activity or grading progress")
	// ErrMasteryMismatch is returned by NewXAPIResult when a passed result
	// scores below the cmi5 mastery score, which means the result was not
	// evaluated against the mastery score as threshold.
	ErrMasteryMismatch = errors.New("scoring: passed result below mastery score")
	// ErrOffset is returned by FlaggedError.UnmarshalJSON when offset_ms
	// does not fit a time.Duration.
	ErrOffset = errors.New("scoring: flagged error offset out of range")
	// ErrDuration is returned when a duration is negative.
	ErrDuration = errors.New("scoring: negative duration")
)

// ValidationError reports which field of a rubric, input or record failed
// validation. Err is one of the sentinel errors above; Value, when set, is
// the offending value as text (at most 32 characters).
type ValidationError struct {
	// Field locates the value, e.g. "domains[2].weight" or
	// "points[history_taking]".
	Field string
	// Value is the offending value as text, or empty.
	Value string
	// Err is the sentinel error describing the failure.
	Err error
}

// Error implements error.
func (e *ValidationError) Error() string {
	msg := strings.TrimPrefix(e.Err.Error(), "scoring: ")
	if e.Value == "" {
		return fmt.Sprintf("scoring: %s: %s", e.Field, msg)
	}

	return fmt.Sprintf("scoring: %s: %s (%q)", e.Field, msg, e.Value)
}

// Unwrap returns the sentinel error.
func (e *ValidationError) Unwrap() error { return e.Err }

func invalid(field string, value string, err error) *ValidationError {
	const maxValue = 32
	if len(value) > maxValue {
		value = value[:maxValue]
	}

	return &ValidationError{Field: field, Value: value, Err: err}
}

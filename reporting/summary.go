package reporting

import (
	"cmp"
	"math/big"
	"slices"
	"time"

	"github.com/virtualaipatient/integration/scoring"
	"github.com/virtualaipatient/integration/session"
)

// SummarySchemaVersion is the version of the [SessionSummary] wire format.
// It changes when a field changes meaning or is removed; new fields may be
// added without a change.
const SummarySchemaVersion = "1.0"

// Completion values of a [SessionSummary], with the meanings of SCORM 2004
// cmi.completion_status.
const (
	// CompletionCompleted is a completed session.
	CompletionCompleted = "completed"
	// CompletionIncomplete is a session started but not completed.
	CompletionIncomplete = "incomplete"
	// CompletionNotAttempted is a session never started.
	CompletionNotAttempted = "not_attempted"
)

// SessionSummary is what a partner receives about one session: its
// identity, lifecycle, score, sub-scores and flagged errors. Consumers keep
// the summary with the highest Revision for a session.
type SessionSummary struct {
	// SchemaVersion is SummarySchemaVersion.
	SchemaVersion string `json:"schema_version"`
	// SessionID is the session's UUID.
	SessionID string `json:"session_id"`
	// Revision increases on every change a partner must see.
	Revision int64 `json:"revision"`
	// PartnerID is the partner that owns the session.
	PartnerID string `json:"partner_id"`
	// PartnerUserID is the partner's user id (the launch's sub).
	PartnerUserID string `json:"partner_user_id"`
	// CohortID is the partner's cohort.
	CohortID string `json:"cohort_id"`
	// AssignmentID is the assignment the session was launched under.
	AssignmentID string `json:"assignment_id"`
	// CaseSetID is the assignment's case set, or null.
	CaseSetID *string `json:"case_set_id"`
	// CaseID is the case's slug.
	CaseID string `json:"case_id"`
	// CaseVersion is "MAJOR.MINOR".
	CaseVersion string `json:"case_version"`
	// CaseTitle is the title of that case version.
	CaseTitle string `json:"case_title"`
	// Attempt is the 1-based attempt number per learner and case.
	Attempt int `json:"attempt"`
	// Mode is practice or assessment.
	Mode scoring.Mode `json:"mode"`
	// Preview marks an instructor's preview session: not a learner
	// attempt, never to be recorded in a gradebook. GET /sessions leaves
	// previews out unless asked for them.
	Preview bool `json:"preview"`
	// Status is the lifecycle status.
	Status session.Status `json:"status"`
	// EndReason says why the session ended, or null while it is open.
	EndReason *session.EndReason `json:"end_reason"`
	// Completion is completed, incomplete or not_attempted.
	Completion string `json:"completion"`
	// Outcome is passed, failed or not_applicable once the session is
	// fully graded, else unknown.
	Outcome scoring.Outcome `json:"outcome"`
	// GradingStatus has the meanings of LTI AGS gradingProgress.
	GradingStatus session.GradingStatus `json:"grading_status"`
	// CreatedAt is the launch time.
	CreatedAt *Time `json:"created_at"`
	// StartedAt is the first start, or null.
	StartedAt *Time `json:"started_at"`
	// EndedAt is when the session ended, or null.
	EndedAt *Time `json:"ended_at"`
	// LastActivityAt is the latest activity, or null.
	LastActivityAt *Time `json:"last_activity_at"`
	// ActiveSeconds is the time spent in progress, suspensions excluded,
	// rounded to 2 decimals.
	ActiveSeconds float64 `json:"active_seconds"`
	// ElapsedSeconds is the time from start to end (or to the summary's
	// time while open), rounded to 2 decimals; 0 before the start.
	ElapsedSeconds float64 `json:"elapsed_seconds"`
	// Score is the score block, or null while there is no score.
	Score *ScoreBlock `json:"score"`
	// SubScores holds one entry per rubric domain; empty without a score.
	SubScores []SubScore `json:"sub_scores"`
	// FlaggedErrors are the active flagged errors: patient-safety and
	// critical ones first, then by time.
	FlaggedErrors []FlaggedError `json:"flagged_errors"`
	// ErrorCounts counts the active flagged errors by severity.
	ErrorCounts ErrorCounts `json:"error_counts"`
}

// ScoreBlock is the score of a [SessionSummary].
type ScoreBlock struct {
	// Scaled is the final scaled score in [0, 1], 4 decimals.
	Scaled float64 `json:"scaled"`
	// Percent is the final score in percent, 2 decimals.
	Percent float64 `json:"percent"`
	// Points is the sum of points over the applicable domains.
	Points float64 `json:"points"`
	// MaxPoints is the sum of max points over the applicable domains.
	MaxPoints float64 `json:"max_points"`
	// UncappedScaled is the scaled score before any cap.
	UncappedScaled float64 `json:"uncapped_scaled"`
	// CapApplied reports whether a cap lowered the score.
	CapApplied bool `json:"cap_applied"`
	// Threshold is the pass threshold in force, scaled.
	Threshold float64 `json:"threshold"`
	// FailReasons lists below_threshold, critical_error and
	// hurdle:<domain>, in that order; empty unless the outcome is failed.
	FailReasons []string `json:"fail_reasons"`
	// ScoreRevision counts evaluations: 1 at completion, +1 per regrade.
	ScoreRevision int `json:"score_revision"`
}

// SubScore is one rubric domain's part of a score.
type SubScore struct {
	// Domain is the domain code, e.g. "history_taking".
	Domain string `json:"domain"`
	// Applicable is false for a domain that did not apply.
	Applicable bool `json:"applicable"`
	// Points are the points awarded.
	Points float64 `json:"points"`
	// MaxPoints are the domain's max points.
	MaxPoints float64 `json:"max_points"`
	// Scaled is points / max points, 4 decimals.
	Scaled float64 `json:"scaled"`
	// Percent is Scaled in percent, 2 decimals.
	Percent float64 `json:"percent"`
	// Weight is the rubric's integer weight.
	Weight int `json:"weight"`
	// Minimum is the domain's hurdle, or null.
	Minimum *float64 `json:"minimum"`
	// Hurdle is none, met or missed.
	Hurdle scoring.HurdleResult `json:"hurdle"`
}

// FlaggedError is one active flagged error of a [SessionSummary].
type FlaggedError struct {
	// Code is PREFIX.NAME, e.g. "MED.CONTRAINDICATED_DRUG".
	Code string `json:"code"`
	// Category groups codes for reporting.
	Category string `json:"category"`
	// Severity is minor, moderate, major or critical.
	Severity scoring.Severity `json:"severity"`
	// PatientSafety marks errors that endanger the patient.
	PatientSafety bool `json:"patient_safety"`
	// Critical marks errors that apply the rubric's critical action.
	Critical bool `json:"critical"`
	// Message is the learner-facing explanation.
	Message string `json:"message"`
	// OffsetMS is the time from the session start to the act, in whole
	// milliseconds.
	OffsetMS int64 `json:"offset_ms"`
	// DetectedBy is rule, ai_model or human.
	DetectedBy scoring.Detector `json:"detected_by"`
}

// ErrorCounts counts active flagged errors by severity.
type ErrorCounts struct {
	// Minor counts minor errors.
	Minor int `json:"minor"`
	// Moderate counts moderate errors.
	Moderate int `json:"moderate"`
	// Major counts major errors.
	Major int `json:"major"`
	// Critical counts errors of critical severity.
	Critical int `json:"critical"`
	// Total counts every active error.
	Total int `json:"total"`
}

// NewSessionSummary builds the summary of s as of now. caseTitle is the
// title of s's case version. It is a pure function: the same arguments
// always give the same summary.
func NewSessionSummary(s session.Session, caseTitle string, now time.Time) SessionSummary {
	sum := SessionSummary{
		SchemaVersion:  SummarySchemaVersion,
		SessionID:      s.ID,
		Revision:       s.Revision,
		PartnerID:      s.PartnerID,
		PartnerUserID:  s.PartnerUserID,
		CohortID:       s.CohortID,
		AssignmentID:   s.AssignmentID,
		CaseSetID:      optionalString(s.CaseSetID),
		CaseID:         s.CaseID,
		CaseVersion:    s.CaseVersion,
		CaseTitle:      caseTitle,
		Attempt:        s.Attempt,
		Mode:           s.Mode,
		Preview:        s.Preview,
		Status:         s.Status,
		Completion:     completion(s),
		Outcome:        outcome(s),
		GradingStatus:  s.GradingStatus,
		CreatedAt:      NewTime(s.CreatedAt),
		StartedAt:      NewTime(s.StartedAt),
		EndedAt:        NewTime(s.EndedAt),
		LastActivityAt: NewTime(s.LastActivityAt),
		ActiveSeconds:  seconds(s.Active(now)),
		ElapsedSeconds: seconds(elapsed(s, now)),
		SubScores:      []SubScore{},
	}
	if s.EndReason != "" {
		r := s.EndReason
		sum.EndReason = &r
	}

	if s.Score != nil {
		sum.Score = scoreBlock(*s.Score, s.ScoreRevision)
		sum.SubScores = subScores(s.Score.SubScores)
	}

	sum.FlaggedErrors, sum.ErrorCounts = flaggedErrors(s.FlaggedErrors)

	return sum
}

func optionalString(s string) *string {
	if s == "" {
		return nil
	}

	return &s
}

func completion(s session.Session) string {
	switch {
	case s.Status == session.StatusCompleted:
		return CompletionCompleted
	case s.StartedAt.IsZero():
		return CompletionNotAttempted
	default:
		return CompletionIncomplete
	}
}

// outcome is the score's outcome once the session is fully graded.
func outcome(s session.Session) scoring.Outcome {
	graded := s.Status == session.StatusCompleted &&
		s.GradingStatus == session.GradingFullyGraded
	if !graded || s.Score == nil || s.Score.Outcome == "" {
		return scoring.OutcomeUnknown
	}

	return s.Score.Outcome
}

func elapsed(s session.Session, now time.Time) time.Duration {
	if s.StartedAt.IsZero() {
		return 0
	}

	end := now
	if !s.EndedAt.IsZero() {
		end = s.EndedAt
	}

	return max(end.Sub(s.StartedAt), 0)
}

// seconds returns d in seconds, rounded half away from zero to 2 decimals.
func seconds(d time.Duration) float64 {
	return scoring.Round(big.NewRat(int64(d), int64(time.Second)), 2)
}

func scoreBlock(r scoring.Result, revision int) *ScoreBlock {
	reasons := r.FailReasons
	if reasons == nil {
		reasons = []string{}
	}

	return &ScoreBlock{
		Scaled:         r.Scaled,
		Percent:        r.Percent,
		Points:         r.Points,
		MaxPoints:      r.MaxPoints,
		UncappedScaled: r.Uncapped,
		CapApplied:     r.CapApplied,
		Threshold:      r.Threshold,
		FailReasons:    slices.Clone(reasons),
		ScoreRevision:  revision,
	}
}

func subScores(in []scoring.SubScore) []SubScore {
	out := make([]SubScore, 0, len(in))
	for _, d := range in {
		out = append(out, SubScore{
			Domain: d.Domain, Applicable: d.Applicable, Points: d.Points,
			MaxPoints: d.MaxPoints, Scaled: d.Scaled, Percent: d.Percent,
			Weight: d.Weight, Minimum: d.Minimum, Hurdle: d.Hurdle,
		})
	}

	return out
}

// flaggedErrors keeps the active errors, sorts them patient-safety and
// critical first, then by offset, then by code, and counts them.
func flaggedErrors(in []scoring.FlaggedError) ([]FlaggedError, ErrorCounts) {
	out := make([]FlaggedError, 0, len(in))
	var counts ErrorCounts
	for _, e := range in {
		if !e.Active() {
			continue
		}

		out = append(out, FlaggedError{
			Code: e.Code, Category: e.Category, Severity: e.Severity,
			PatientSafety: e.PatientSafety, Critical: e.Critical,
			Message: e.Message, OffsetMS: e.Offset.Milliseconds(),
			DetectedBy: e.DetectedBy,
		})
		counts.add(e.Severity)
	}

	slices.SortStableFunc(out, func(a, b FlaggedError) int {
		return cmp.Or(
			cmp.Compare(errorRank(a), errorRank(b)),
			cmp.Compare(a.OffsetMS, b.OffsetMS),
			cmp.Compare(a.Code, b.Code),
		)
	})

	return out, counts
}

func errorRank(e FlaggedError) int {
	if e.PatientSafety || e.Critical {
		return 0
	}

	return 1
}

func (c *ErrorCounts) add(s scoring.Severity) {
	switch s {
	case scoring.SeverityMinor:
		c.Minor++
	case scoring.SeverityModerate:
		c.Moderate++
	case scoring.SeverityMajor:
		c.Major++
	case scoring.SeverityCritical:
		c.Critical++
	}

	c.Total++
}

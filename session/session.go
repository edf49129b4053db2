package session

import (
	"time"

	"github.com/virtualaipatient/integration/scoring"
)

// Status is where a session stands in its lifecycle.
type Status string

// Session statuses.
const (
	// StatusCreated is a launched session the learner has not started.
	StatusCreated Status = "created"
	// StatusInProgress is a session being worked on.
	StatusInProgress Status = "in_progress"
	// StatusSuspended is a paused session; it may resume.
	StatusSuspended Status = "suspended"
	// StatusCompleted is a finished session; it has a grading status.
	StatusCompleted Status = "completed"
	// StatusAbandoned is a session given up; it has no score and never
	// resumes.
	StatusAbandoned Status = "abandoned"
	// StatusVoided is a session left out of analytics.
	StatusVoided Status = "voided"
)

// Open reports whether the status is created, in progress or suspended.
func (s Status) Open() bool {
	return s == StatusCreated || s == StatusInProgress || s == StatusSuspended
}

// EndReason says why a session ended.
type EndReason string

// End reasons.
const (
	// EndCompleted ends a completed session.
	EndCompleted EndReason = "completed"
	// EndNotStarted voids a session whose launch was never used.
	EndNotStarted EndReason = "not_started"
	// EndInactivity abandons a session idle past the inactivity timeout.
	EndInactivity EndReason = "inactivity"
	// EndQuit abandons a session the learner quit.
	EndQuit EndReason = "quit"
	// EndSuperseded abandons a session replaced by a new attempt.
	EndSuperseded EndReason = "superseded"
	// EndClosed abandons a session whose assignment closed.
	EndClosed EndReason = "closed"
	// EndAdmin voids a session by an administrator's decision.
	EndAdmin EndReason = "admin"
	// EndTechnicalFailure voids a session broken by a technical failure.
	EndTechnicalFailure EndReason = "technical_failure"
)

// GradingStatus has the meanings of LTI AGS gradingProgress.
type GradingStatus string

// Grading statuses.
const (
	// GradingNotReady means the session is not completed.
	GradingNotReady GradingStatus = "not_ready"
	// GradingPending means the session is completed and awaits a score.
	GradingPending GradingStatus = "pending"
	// GradingPendingManual means a human must still review the score.
	GradingPendingManual GradingStatus = "pending_manual"
	// GradingFullyGraded means the score is final.
	GradingFullyGraded GradingStatus = "fully_graded"
	// GradingFailed means grading could not be done.
	GradingFailed GradingStatus = "failed"
)

// Session is one attempt at one case version by one learner.
type Session struct {
	// ID is a random UUID.
	ID string
	// PartnerID owns the session.
	PartnerID string
	// CohortID is the partner's cohort.
	CohortID string
	// AssignmentID is the assignment the session was launched under.
	AssignmentID string
	// CaseSetID is the assignment's case set, or empty.
	CaseSetID string
	// CaseID is the case, pinned at creation.
	CaseID string
	// CaseVersion is "MAJOR.MINOR", pinned at creation.
	CaseVersion string
	// LearnerID is ours: pseudonymous and random.
	LearnerID string
	// PartnerUserID is the partner's user id (sub).
	PartnerUserID string
	// Attempt is 1-based per learner and case, never reused.
	Attempt int
	// Mode is copied from the assignment at creation.
	Mode scoring.Mode
	// Policy is copied from the assignment at creation.
	Policy scoring.AttemptPolicy
	// Threshold is the assignment's threshold override at creation.
	Threshold *float64
	// Preview marks an instructor's session; it never counts in learner
	// analytics.
	Preview bool
	// Status is the lifecycle status.
	Status Status
	// EndReason is set when the session completed, was abandoned or voided.
	EndReason EndReason
	// CreatedAt is the launch time.
	CreatedAt time.Time
	// StartedAt is the first start; zero until then.
	StartedAt time.Time
	// LastActivityAt is the latest transition or recorded activity.
	LastActivityAt time.Time
	// EndedAt is when the session completed, was abandoned or voided.
	EndedAt time.Time
	// ActiveDuration is the time spent in progress before ActiveSince.
	// Use [Session.Active] for the total.
	ActiveDuration time.Duration
	// ActiveSince is when the current in-progress stretch began; zero
	// unless the status is in progress.
	ActiveSince time.Time
	// GradingStatus is the grading progress.
	GradingStatus GradingStatus
	// Input is the scoring input given at completion or regrade, or nil.
	Input *scoring.Input
	// Score is the evaluated result, or nil.
	Score *scoring.Result
	// ScoreRevision counts evaluations: 1 after completion, +1 per regrade.
	ScoreRevision int
	// FlaggedErrors are the errors flagged in the session.
	FlaggedErrors []scoring.FlaggedError
	// Revision increments on every change.
	Revision int64
}

// Anonymised reports whether the session was kept without its person after
// the learner's deletion (see [Policy.KeepAnonymousAggregates]): its
// partner user id is cleared, which no launched session has. Such a
// session counts in cohort analytics only; the reporting API never serves
// it on its own.
func (s Session) Anonymised() bool {
	return s.PartnerUserID == ""
}

// Active returns the time spent in progress up to now, suspensions
// excluded.
func (s Session) Active(now time.Time) time.Duration {
	if s.Status != StatusInProgress || s.ActiveSince.IsZero() {
		return s.ActiveDuration
	}

	d := now.Sub(s.ActiveSince)
	if d < 0 {
		d = 0
	}

	return s.ActiveDuration + d
}

package analytics

import (
	"fmt"
	"time"

	"github.com/virtualaipatient/integration/scoring"
	"github.com/virtualaipatient/integration/session"
)

// Minimum cell sizes.
const (
	// DefaultMinCellSize is the minimum cell size when none is given.
	DefaultMinCellSize = 5
	// MinCellSizeFloor is the smallest minimum cell size accepted.
	MinCellSizeFloor = 3
	// DefaultTopErrors is the number of top error codes reported by default.
	DefaultTopErrors = 10
)

// Query scopes a cohort analytics report.
//
// NOTE: analytics never mix the majors of the case a query names: with
// CaseID and no CaseMajor, the report covers the highest major among the
// case's sessions in scope. Without CaseID, a report covers every case in
// scope, each with all of its majors, since a cohort-wide number (learners
// started, sessions by status) is about the cohort rather than one
// version of a case; name the case to compare scores like with like.
type Query struct {
	// CohortID is the partner's cohort (required).
	CohortID string
	// AssignmentID narrows to one assignment when not empty.
	AssignmentID string
	// CaseSetID narrows to sessions launched under a case set when not
	// empty.
	CaseSetID string
	// CaseID narrows to one case when not empty.
	CaseID string
	// CaseMajor narrows to one major version of CaseID. When 0 with a
	// CaseID, the highest major among the case's sessions in scope is used
	// (Report.Scope.CaseMajor says which). It requires CaseID.
	CaseMajor int
	// From is the inclusive start of the window on the start time; zero
	// means unbounded.
	From time.Time
	// To is the exclusive end of the window; zero means unbounded.
	To time.Time
	// Policy picks each learner's reporting session. Default best.
	Policy scoring.AttemptPolicy
	// MinCellSize is the smallest group shown. Default DefaultMinCellSize;
	// never below MinCellSizeFloor.
	MinCellSize int
	// RosterSize is the cohort's number of enrolled learners when the
	// partner gave it, else nil.
	RosterSize *int
	// TopErrors is the number of error codes listed. Default
	// DefaultTopErrors.
	TopErrors int
}

// Normalize returns q with its defaults filled in, or an error wrapping
// ErrInvalidQuery.
func (q Query) Normalize() (Query, error) {
	if q.Policy == "" {
		q.Policy = scoring.PolicyBest
	}

	if q.MinCellSize == 0 {
		q.MinCellSize = DefaultMinCellSize
	}

	if q.TopErrors <= 0 {
		q.TopErrors = DefaultTopErrors
	}

	if err := q.check(); err != nil {
		return Query{}, err
	}

	return q, nil
}

func (q Query) check() error {
	switch {
	case q.CohortID == "":
		return invalidQuery("cohort is required")
	case !knownPolicy(q.Policy):
		return invalidQuery("unknown attempt policy")
	case q.MinCellSize < MinCellSizeFloor:
		return invalidQuery("minimum cell size below %d", MinCellSizeFloor)
	case q.CaseMajor < 0 || (q.CaseMajor > 0 && q.CaseID == ""):
		return invalidQuery("case major needs a case")
	case !q.From.IsZero() && !q.To.IsZero() && !q.To.After(q.From):
		return invalidQuery("window end must be after its start")
	case q.RosterSize != nil && *q.RosterSize < 0:
		return invalidQuery("negative roster size")
	}

	return nil
}

func knownPolicy(p scoring.AttemptPolicy) bool {
	switch p {
	case scoring.PolicyBest, scoring.PolicyLast, scoring.PolicyFirst, scoring.PolicyMean:
		return true
	}

	return false
}

func invalidQuery(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidQuery}, args...)...)
}

// Fact is what analytics need of one session. Stores may compute the same
// numbers in SQL; [FactOf] gives the reference reading of a session.
type Fact struct {
	// SessionID is the session's id.
	SessionID string
	// LearnerID is our pseudonymous learner id.
	LearnerID string
	// CohortID is the session's cohort.
	CohortID string
	// AssignmentID is the assignment the session was launched under.
	AssignmentID string
	// CaseSetID is the assignment's case set, or empty.
	CaseSetID string
	// CaseID is the case.
	CaseID string
	// CaseMajor is the MAJOR part of the case version.
	CaseMajor int
	// Attempt is the 1-based attempt number per learner and case.
	Attempt int
	// Status is the lifecycle status.
	Status session.Status
	// GradingStatus is the grading progress.
	GradingStatus session.GradingStatus
	// Preview marks an instructor's session; it counts nowhere.
	Preview bool
	// CreatedAt is the launch time.
	CreatedAt time.Time
	// StartedAt is the first start, or zero.
	StartedAt time.Time
	// EndedAt is the end, or zero.
	EndedAt time.Time
	// ActiveDuration is the time in progress, suspensions excluded.
	ActiveDuration time.Duration
	// Scored reports whether the session has a score.
	Scored bool
	// Percent is the final score in percent, as reported (2 decimals).
	Percent float64
	// Outcome is the score's outcome.
	Outcome scoring.Outcome
	// SubScores are the applicable domains' percents.
	SubScores []DomainScore
	// Errors are the active flagged errors.
	Errors []ErrorFact
}

// DomainScore is one applicable domain's sub-score of a [Fact].
type DomainScore struct {
	// Domain is the domain code.
	Domain string
	// Percent is the domain's percent, as reported (2 decimals).
	Percent float64
}

// ErrorFact is one active flagged error of a [Fact].
type ErrorFact struct {
	// Code is PREFIX.NAME.
	Code string
	// Severity is the error's severity.
	Severity scoring.Severity
	// PatientSafety marks a patient-safety error.
	PatientSafety bool
	// Critical marks a critical error.
	Critical bool
}

// FactOf reads the analytics facts of a session.
func FactOf(s session.Session) Fact {
	f := Fact{
		SessionID: s.ID, LearnerID: s.LearnerID, CohortID: s.CohortID,
		AssignmentID: s.AssignmentID, CaseSetID: s.CaseSetID, CaseID: s.CaseID,
		CaseMajor: major(s.CaseVersion), Attempt: s.Attempt, Status: s.Status,
		GradingStatus: s.GradingStatus, Preview: s.Preview, CreatedAt: s.CreatedAt,
		StartedAt: s.StartedAt, EndedAt: s.EndedAt, ActiveDuration: s.ActiveDuration,
	}
	if s.Score != nil {
		f.Scored, f.Percent, f.Outcome = true, s.Score.Percent, s.Score.Outcome
		for _, d := range s.Score.SubScores {
			if d.Applicable {
				f.SubScores = append(f.SubScores, DomainScore{Domain: d.Domain, Percent: d.Percent})
			}
		}
	}

	for _, e := range s.FlaggedErrors {
		if e.Active() {
			f.Errors = append(f.Errors, ErrorFact{Code: e.Code, Severity: e.Severity,
				PatientSafety: e.PatientSafety, Critical: e.Critical})
		}
	}

	return f
}

// major returns the MAJOR part of "MAJOR.MINOR", or 0.
func major(version string) int {
	n := 0
	for _, c := range version {
		if c < '0' || c > '9' {
			break
		}

		n = n*10 + int(c-'0')
	}

	return n
}

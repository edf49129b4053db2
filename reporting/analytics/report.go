package analytics

import "github.com/virtualaipatient/integration/scoring"

// ReportSchemaVersion is the version of the [Report] wire format.
const ReportSchemaVersion = "1.0"

// Count is a number of learners, sessions or errors. Value is null when
// Suppressed is set.
type Count struct {
	// Value is the count, or nil when suppressed.
	Value *int64 `json:"value"`
	// Suppressed reports that the count is hidden to protect a small group.
	Suppressed bool `json:"suppressed"`
}

// Number is a rate or a statistic. Value is null when its denominator is 0
// or when Suppressed is set.
type Number struct {
	// Value is the rounded value, or nil.
	Value *float64 `json:"value"`
	// Suppressed reports that the value is hidden to protect a small group.
	Suppressed bool `json:"suppressed"`
}

// Report is a cohort analytics report.
type Report struct {
	// SchemaVersion is ReportSchemaVersion.
	SchemaVersion string `json:"schema_version"`
	// Scope echoes the normalized query.
	Scope Scope `json:"scope"`
	// Learners are learner-level counts and rates.
	Learners Learners `json:"learners"`
	// Sessions are session-level counts and rates.
	Sessions Sessions `json:"sessions"`
	// Attempts are attempts per learner and case.
	Attempts Attempts `json:"attempts"`
	// Scores are score statistics in percent.
	Scores Scores `json:"scores"`
	// TimeOnTask is the active time of completed sessions, in seconds.
	TimeOnTask TimeOnTask `json:"time_on_task"`
	// SubScores are the mean percent per domain over graded sessions,
	// ordered by domain code.
	SubScores []DomainMean `json:"sub_scores"`
	// Errors are the flagged errors of completed sessions.
	Errors Errors `json:"errors"`
}

// Scope is the normalized query of a [Report].
type Scope struct {
	// CohortID is the cohort.
	CohortID string `json:"cohort_id"`
	// AssignmentID is the assignment narrowed to, or null.
	AssignmentID *string `json:"assignment_id"`
	// CaseSetID is the case set narrowed to, or null.
	CaseSetID *string `json:"case_set_id"`
	// CaseID is the case narrowed to, or null.
	CaseID *string `json:"case_id"`
	// CaseMajor is the major version narrowed to, or null.
	CaseMajor *int `json:"case_major"`
	// From is the window's inclusive start (RFC 3339, UTC, milliseconds),
	// or null.
	From *string `json:"from"`
	// To is the window's exclusive end, or null.
	To *string `json:"to"`
	// Policy is the attempt policy.
	Policy scoring.AttemptPolicy `json:"attempt_policy"`
	// MinCellSize is the minimum cell size applied.
	MinCellSize int `json:"min_cell_size"`
	// AsOf is the instant the statuses are taken at (RFC 3339, UTC,
	// milliseconds): the report holds every change committed before it.
	// The reporting API sets it to when it began reading; Compute and the
	// stores leave it null.
	AsOf *string `json:"as_of"`
}

// Learners are the learner-level numbers of a [Report].
type Learners struct {
	// Enrolled is the roster size the partner gave, or null.
	Enrolled *int `json:"enrolled"`
	// Started counts learners with a started session.
	Started Count `json:"started"`
	// Completed counts learners with a completed session.
	Completed Count `json:"completed"`
	// Passed counts learners with a passed, fully graded session.
	Passed Count `json:"passed"`
	// CompletionOfStarted is Completed / Started.
	CompletionOfStarted Number `json:"completion_of_started"`
	// PassOfCompleted is Passed / Completed.
	PassOfCompleted Number `json:"pass_of_completed"`
	// CompletionOfEnrolled is Completed / Enrolled, null without a roster.
	CompletionOfEnrolled Number `json:"completion_of_enrolled"`
	// PassOfEnrolled is Passed / Enrolled, null without a roster.
	PassOfEnrolled Number `json:"pass_of_enrolled"`
}

// Sessions are the session-level numbers of a [Report].
type Sessions struct {
	// ByStatus counts sessions per status, voided included.
	ByStatus StatusCounts `json:"by_status"`
	// Completion is completed / (completed + abandoned).
	Completion Number `json:"completion"`
	// Abandonment is abandoned / (completed + abandoned).
	Abandonment Number `json:"abandonment"`
	// Pass is passed / graded (completed and fully graded).
	Pass Number `json:"pass"`
	// FirstAttemptPass is the pass rate of graded first attempts.
	FirstAttemptPass Number `json:"first_attempt_pass"`
}

// StatusCounts counts sessions per status.
type StatusCounts struct {
	// Total counts every session in scope.
	Total Count `json:"total"`
	// Created counts sessions never started.
	Created Count `json:"created"`
	// InProgress counts sessions in progress.
	InProgress Count `json:"in_progress"`
	// Suspended counts suspended sessions.
	Suspended Count `json:"suspended"`
	// Completed counts completed sessions.
	Completed Count `json:"completed"`
	// Abandoned counts abandoned sessions.
	Abandoned Count `json:"abandoned"`
	// Voided counts voided sessions.
	Voided Count `json:"voided"`
}

// Attempts are attempt numbers per learner and case.
type Attempts struct {
	// PerLearner describes the started sessions per learner and case
	// (abandoned ones count; voided and never-started ones do not).
	PerLearner AttemptStats `json:"per_learner"`
	// ToFirstPass describes, for learners and cases with a passed graded
	// session, the attempts up to and including the first passed one.
	ToFirstPass AttemptStats `json:"to_first_pass"`
}

// AttemptStats describes a number of attempts over learner-case pairs.
type AttemptStats struct {
	// N counts the learner-case pairs.
	N Count `json:"n"`
	// Mean is the mean number of attempts, 2 decimals.
	Mean Number `json:"mean"`
	// Max is the largest number of attempts.
	Max Number `json:"max"`
	// Distribution counts pairs by attempts: "1", "2", "3", "4" and "5+".
	Distribution []Bucket `json:"distribution"`
}

// Bucket is one cell of a distribution.
type Bucket struct {
	// Label names the cell.
	Label string `json:"label"`
	// Count is the cell's count.
	Count Count `json:"count"`
}

// Scores are score statistics in percent.
type Scores struct {
	// Reporting is over each learner and case's reporting session chosen
	// by the attempt policy (under mean, the mean of the graded sessions).
	Reporting ScoreStats `json:"reporting"`
	// AllGraded is over every graded session.
	AllGraded ScoreStats `json:"all_graded"`
}

// ScoreStats describes scores in percent, each rounded to 2 decimals.
type ScoreStats struct {
	// N counts the scores.
	N Count `json:"n"`
	// Mean is the arithmetic mean.
	Mean Number `json:"mean"`
	// SD is the sample standard deviation (null below 2 scores).
	SD Number `json:"sd"`
	// Min is the lowest score.
	Min Number `json:"min"`
	// P25 is the 25th percentile (linear interpolation, R type 7).
	P25 Number `json:"p25"`
	// Median is the 50th percentile.
	Median Number `json:"median"`
	// P75 is the 75th percentile.
	P75 Number `json:"p75"`
	// P90 is the 90th percentile.
	P90 Number `json:"p90"`
	// Max is the highest score.
	Max Number `json:"max"`
	// Histogram has 10 bins of 10 points, [0, 10) to [90, 100].
	Histogram []Bin `json:"histogram"`
}

// Bin is one histogram bin: [Lower, Upper), the last one [90, 100].
type Bin struct {
	// Lower is the inclusive lower bound.
	Lower float64 `json:"lower"`
	// Upper is the upper bound, exclusive except for the last bin.
	Upper float64 `json:"upper"`
	// Count is the bin's count.
	Count Count `json:"count"`
}

// TimeOnTask describes the active seconds of completed sessions.
type TimeOnTask struct {
	// N counts the completed sessions.
	N Count `json:"n"`
	// Mean is the mean, in seconds.
	Mean Number `json:"mean"`
	// Median is the median.
	Median Number `json:"median"`
	// P90 is the 90th percentile.
	P90 Number `json:"p90"`
	// Min is the shortest time.
	Min Number `json:"min"`
	// Max is the longest time.
	Max Number `json:"max"`
}

// DomainMean is the mean sub-score of one domain.
type DomainMean struct {
	// Domain is the domain code.
	Domain string `json:"domain"`
	// N counts the graded sessions where the domain applied.
	N Count `json:"n"`
	// Mean is the mean percent.
	Mean Number `json:"mean"`
}

// Errors describe the flagged errors of completed sessions (errors of
// abandoned sessions are left out).
type Errors struct {
	// Sessions counts the completed sessions considered.
	Sessions Count `json:"sessions"`
	// PerSession is active errors / sessions, 4 decimals.
	PerSession Number `json:"per_session"`
	// SafetySessionRate is the share of sessions with a patient-safety
	// error.
	SafetySessionRate Number `json:"safety_session_rate"`
	// CriticalSessionRate is the share of sessions with a critical error.
	CriticalSessionRate Number `json:"critical_session_rate"`
	// Top lists error codes by sessions affected (descending), then
	// severity (descending), then code.
	Top []TopError `json:"top"`
	// RowsSuppressed reports that codes affecting a small group were left
	// out of Top.
	RowsSuppressed bool `json:"rows_suppressed"`
}

// TopError is one error code of [Errors.Top].
type TopError struct {
	// Code is PREFIX.NAME.
	Code string `json:"code"`
	// Severity is the highest severity seen for the code.
	Severity scoring.Severity `json:"severity"`
	// PatientSafety reports that the code was flagged as a safety error.
	PatientSafety bool `json:"patient_safety"`
	// Sessions counts the sessions with the code.
	Sessions Count `json:"sessions"`
	// Occurrences counts the errors with the code.
	Occurrences Count `json:"occurrences"`
	// Rate is Sessions / Errors.Sessions.
	Rate Number `json:"rate"`
}

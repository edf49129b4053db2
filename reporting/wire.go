package reporting

// LaunchRequest is the JSON body of a server-to-server POST /launch. A
// browser posts the same field as a form.
type LaunchRequest struct {
	// LaunchToken is the partner-signed launch token.
	LaunchToken string `json:"launch_token"`
}

// LaunchResponse answers a server-to-server launch.
type LaunchResponse struct {
	// SessionID is the session created (or resumed) by the launch.
	SessionID string `json:"session_id"`
	// LaunchURL opens the learner app; its fragment carries the one-time
	// code ("#code=..."), which never reaches a server log.
	LaunchURL string `json:"launch_url"`
	// CodeExpiresAt is when the one-time code expires.
	CodeExpiresAt *Time `json:"code_expires_at"`
}

// ExchangeRequest is the body of POST /launch/exchange.
type ExchangeRequest struct {
	// Code is the one-time code from the launch URL's fragment.
	Code string `json:"code"`
}

// ExchangeResponse answers a code exchange with a session bearer token.
type ExchangeResponse struct {
	// SessionID is the session the token is bound to.
	SessionID string `json:"session_id"`
	// SessionToken is the bearer token for the learner app's API calls.
	SessionToken string `json:"session_token"`
	// TokenType is always "Bearer".
	TokenType string `json:"token_type"`
	// ExpiresAt is when the token expires.
	ExpiresAt *Time `json:"expires_at"`
}

// AssignmentInput is the body of PUT /cohorts/{id}/assignments/{id}.
// Exactly one of CaseID and CaseSetID is set.
type AssignmentInput struct {
	// CaseID is the assigned case, or empty.
	CaseID string `json:"case_id,omitempty"`
	// CaseSetID is the assigned case set, or empty.
	CaseSetID string `json:"case_set_id,omitempty"`
	// OpensAt is when launches become possible; null means at once.
	OpensAt *Time `json:"opens_at,omitempty"`
	// DueAt is the due date shown to learners, or null.
	DueAt *Time `json:"due_at,omitempty"`
	// ClosesAt is when launches stop; null means never.
	ClosesAt *Time `json:"closes_at,omitempty"`
	// MaxAttempts is the attempts per learner and case; 0 is unlimited.
	MaxAttempts int `json:"max_attempts,omitempty"`
	// AttemptPolicy is best (default), last, first or mean.
	AttemptPolicy string `json:"attempt_policy,omitempty"`
	// Mode is practice or assessment (default, as for assignments the
	// session service registers).
	Mode string `json:"mode,omitempty"`
	// PassThreshold overrides the rubric's pass threshold, in [0, 1] with
	// at most 4 decimals and above every critical-error or hurdle cap of
	// the assigned case versions' rubrics (422 otherwise).
	PassThreshold *float64 `json:"pass_threshold,omitempty"`
}

// Assignment is an assignment of a case or case set to a cohort.
type Assignment struct {
	// AssignmentID is the partner's id of the assignment.
	AssignmentID string `json:"assignment_id"`
	// CohortID is the cohort.
	CohortID string `json:"cohort_id"`
	// CaseID is the assigned case, or null.
	CaseID *string `json:"case_id"`
	// CaseSetID is the assigned case set, or null.
	CaseSetID *string `json:"case_set_id"`
	// Title is the case's or case set's title.
	Title string `json:"title"`
	// Cases are the assigned cases in order, each with its pinned version.
	Cases []AssignedCase `json:"cases"`
	// Sequencing is free or sequential.
	Sequencing string `json:"sequencing"`
	// OpensAt is when launches become possible, or null.
	OpensAt *Time `json:"opens_at"`
	// DueAt is the due date, or null.
	DueAt *Time `json:"due_at"`
	// ClosesAt is when launches stop, or null.
	ClosesAt *Time `json:"closes_at"`
	// MaxAttempts is the attempts per learner and case; 0 is unlimited.
	MaxAttempts int `json:"max_attempts"`
	// AttemptPolicy is best, last, first or mean.
	AttemptPolicy string `json:"attempt_policy"`
	// Mode is practice or assessment.
	Mode string `json:"mode"`
	// PassThreshold is the threshold override, or null.
	PassThreshold *float64 `json:"pass_threshold"`
	// CreatedAt is when the assignment was created.
	CreatedAt *Time `json:"created_at"`
	// UpdatedAt is when it was last changed.
	UpdatedAt *Time `json:"updated_at"`
}

// AssignedCase is one case of an [Assignment].
type AssignedCase struct {
	// CaseID is the case.
	CaseID string `json:"case_id"`
	// Version is the pinned "MAJOR.MINOR".
	Version string `json:"version"`
	// Title is that version's title.
	Title string `json:"title"`
}

// CaseListing answers GET /cases: a cohort's assignments when cohort_id is
// given, else the catalog the partner may assign.
type CaseListing struct {
	// CohortID is the cohort listed, or null for the catalog.
	CohortID *string `json:"cohort_id"`
	// Assignments are the cohort's assignments; empty for the catalog.
	Assignments []Assignment `json:"assignments"`
	// Cases are the published cases; empty for a cohort.
	Cases []CatalogCase `json:"cases"`
	// CaseSets are the case sets whose cases are all published; empty for
	// a cohort.
	CaseSets []CatalogCaseSet `json:"case_sets"`
}

// CatalogCase is a published case of the catalog.
type CatalogCase struct {
	// CaseID is the case's slug.
	CaseID string `json:"case_id"`
	// Title is the title of the latest published version.
	Title string `json:"title"`
	// Summary is a learner-safe summary.
	Summary string `json:"summary"`
	// Tags are free-form labels.
	Tags []string `json:"tags"`
	// LatestVersion is the latest published "MAJOR.MINOR".
	LatestVersion string `json:"latest_version"`
}

// CatalogCaseSet is a case set of the catalog.
type CatalogCaseSet struct {
	// CaseSetID is the set's slug.
	CaseSetID string `json:"case_set_id"`
	// Title is the set's title.
	Title string `json:"title"`
	// Cases are the set's case ids, in order.
	Cases []string `json:"cases"`
	// Sequencing is free or sequential.
	Sequencing string `json:"sequencing"`
}

// SessionPage is one page of GET /sessions.
type SessionPage struct {
	// Sessions are the summaries, ordered by change time, then id.
	Sessions []SessionSummary `json:"sessions"`
	// NextCursor resumes the listing after the last session of this page;
	// it is always set, so a partner can keep it and poll again later.
	NextCursor string `json:"next_cursor"`
	// HasMore reports that more changes are ready now.
	HasMore bool `json:"has_more"`
}

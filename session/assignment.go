package session

import (
	"time"

	"github.com/virtualaipatient/integration/scoring"
)

// Cohort is a partner's group of learners (a course, a class, a rotation).
// Its ID is the partner's own id, the one launches carry.
type Cohort struct {
	// PartnerID owns the cohort.
	PartnerID string
	// ID is the partner's cohort id, unique within the partner.
	ID string
	// Name is the display name.
	Name string
	// RosterSize is the number of enrolled learners when the partner gave
	// it, else nil.
	RosterSize *int
	// CreatedAt is when the cohort was first registered.
	CreatedAt time.Time
	// UpdatedAt is when the cohort was last changed.
	UpdatedAt time.Time
}

// RelaunchRule says what a launch does when the learner already has an open
// (created, in progress or suspended) session of the same case under the
// same assignment.
type RelaunchRule string

// Relaunch rules.
const (
	// RelaunchResume returns the open session unchanged; no new attempt is
	// created. It is the default when the rule is empty.
	RelaunchResume RelaunchRule = "resume"
	// RelaunchSupersede abandons the open session with end reason
	// superseded (voids it as not_started when it was never started) and
	// creates a new attempt.
	RelaunchSupersede RelaunchRule = "supersede"
)

// Assignment gives a case or a case set to a cohort. Exactly one of CaseID
// and CaseSetID is set. A cohort has at most one assignment per case and per
// case set.
type Assignment struct {
	// PartnerID owns the assignment.
	PartnerID string
	// ID is unique within the partner; the service generates a UUID when
	// the caller leaves it empty.
	ID string
	// CohortID is the cohort the assignment is given to.
	CohortID string
	// CaseID is the assigned case, or empty.
	CaseID string
	// CaseSetID is the assigned case set, or empty.
	CaseSetID string
	// Cases are the target's cases in order, each pinned to a version
	// ("MAJOR.MINOR"). The service resolves them when the assignment is
	// created (latest published unless the case set pins a version).
	Cases []CaseRef
	// Sequencing is copied from the case set (free for a single case).
	Sequencing Sequencing
	// OpensAt is when launches become possible; zero means at once.
	OpensAt time.Time
	// DueAt is the due date shown to learners; zero means none. It does
	// not block launches.
	DueAt time.Time
	// ClosesAt is when launches stop; zero means never.
	ClosesAt time.Time
	// MaxAttempts is the number of attempts per learner and case; 0 means
	// unlimited. Voided and preview sessions do not count; attempts whose
	// sessions the retention purge deleted do, while the learner record
	// is kept (see [Retention]).
	MaxAttempts int
	// Policy says which attempt is the learner's grade (default best).
	Policy scoring.AttemptPolicy
	// Mode is practice or assessment (default assessment; ad-hoc launches
	// create practice assignments).
	Mode scoring.Mode
	// Threshold overrides the rubric's pass threshold when not nil: in
	// [0, 1] with at most 4 decimals and, checked when the assignment is
	// put, above every cap of the pinned case versions' rubrics
	// (scoring.Rubric.CheckThreshold).
	Threshold *float64
	// Relaunch is the rule for a launch while a session is open.
	Relaunch RelaunchRule
	// AdHoc marks an assignment created on the fly by a launch (always
	// practice, never closing). It yields to a registered one: see
	// [Service.PutAssignment]. It never counts as a cohort's single open
	// assignment for a launch naming no case.
	AdHoc bool
	// CreatedAt is when the assignment was created.
	CreatedAt time.Time
	// UpdatedAt is when the assignment was last changed.
	UpdatedAt time.Time
}

// OpenAt reports whether launches are possible at t:
// OpensAt <= t < ClosesAt, zero bounds being open.
func (a Assignment) OpenAt(t time.Time) bool {
	if !a.OpensAt.IsZero() && t.Before(a.OpensAt) {
		return false
	}

	return a.ClosesAt.IsZero() || t.Before(a.ClosesAt)
}

// Learner is our pseudonymous identity for a partner's user. It is keyed by
// partner and the partner's subject (sub), never by name or e-mail.
type Learner struct {
	// PartnerID owns the learner.
	PartnerID string
	// ID is ours: a random UUID.
	ID string
	// Subject is the partner's user id (the launch's sub).
	Subject string
	// Name is stored only when the partner's policy opts in, else empty.
	Name string
	// CreatedAt is the first launch.
	CreatedAt time.Time
	// LastSeenAt is the latest launch.
	LastSeenAt time.Time
}

// ConsumedToken records a launch token that has been used, so that it is
// never used again.
type ConsumedToken struct {
	// Issuer is the token's iss.
	Issuer string
	// TokenID is the token's jti.
	TokenID string
	// PartnerID is the partner the launch was for.
	PartnerID string
	// ExpiresAt is the time after which the record may be purged: the
	// token's expiry plus launch.MaxLeeway, the longest leeway a verifier
	// grants, as [Service.Launch] sets it.
	ExpiresAt time.Time
	// ConsumedAt is when the token was used.
	ConsumedAt time.Time
}

package session

import (
	"context"
	"time"
)

// This file is the storage contract. Adapters (store/memory, store/sqlite,
// store/postgres) implement [Store] and run store/storetest.Run.
//
// General rules for every method:
//   - Absent records: Get... methods return the zero value and an error
//     for which errors.Is(err, ErrNotFound) holds. List... methods return
//     an empty (nil or zero-length, equivalent) slice and a nil error.
//   - Partner scoping: every partner-owned record (cohort, assignment,
//     learner, session) is looked up by partner id and its own id. A record
//     of another partner is absent (ErrNotFound), never returned.
//   - The case catalog (cases, case versions, case sets) is global.
//   - Values are copied in and out: a caller mutating a value it passed or
//     received never changes stored data.
//   - Times are stored to at least microsecond precision and returned in
//     UTC without monotonic reading. Nil and empty slices and maps are
//     equivalent.
//   - Structured fields (scoring.Rubric, scoring.Input, scoring.Result,
//     flagged errors, case lists) round-trip through encoding/json; SQL
//     adapters may store them as JSON columns.
//   - After a method of a [Tx] returns an error other than ErrNotFound, the
//     caller abandons the transaction (returns the error from the WithTx
//     function), so SQL adapters need not recover an aborted transaction.
//
// Change policy: these interfaces change additively only. New needs (the
// outbox written with session changes, learner deletion, retention purge,
// cohort analytics) come as new optional interfaces that a [Store] or [Tx]
// may implement and that the service finds by type assertion.

// CaseStore holds the cases of the global catalog.
type CaseStore interface {
	// PutCase inserts the case or replaces the one with the same ID.
	PutCase(ctx context.Context, c Case) error
	// GetCase returns the case with the ID, or ErrNotFound.
	GetCase(ctx context.Context, id string) (Case, error)
}

// CaseVersionStore holds published, immutable case versions.
type CaseVersionStore interface {
	// InsertCaseVersion stores a new version. It returns ErrAlreadyExists
	// when (CaseID, Major, Minor) is already stored; stored versions are
	// never replaced.
	InsertCaseVersion(ctx context.Context, v CaseVersion) error
	// GetCaseVersion returns the version of the case, or ErrNotFound.
	GetCaseVersion(ctx context.Context, caseID string, major, minor int) (CaseVersion, error)
	// LatestCaseVersion returns the case's version with the highest
	// (Major, Minor), compared numerically, or ErrNotFound when the case
	// has no version.
	LatestCaseVersion(ctx context.Context, caseID string) (CaseVersion, error)
}

// CaseSetStore holds the case sets of the global catalog.
type CaseSetStore interface {
	// PutCaseSet inserts the set or replaces the one with the same ID.
	PutCaseSet(ctx context.Context, s CaseSet) error
	// GetCaseSet returns the set with the ID, or ErrNotFound.
	GetCaseSet(ctx context.Context, id string) (CaseSet, error)
}

// CohortStore holds partners' cohorts.
type CohortStore interface {
	// PutCohort inserts the cohort or replaces the one with the same
	// (PartnerID, ID).
	PutCohort(ctx context.Context, c Cohort) error
	// GetCohort returns the partner's cohort, or ErrNotFound.
	GetCohort(ctx context.Context, partnerID, id string) (Cohort, error)
}

// AssignmentStore holds assignments of cases and case sets to cohorts.
type AssignmentStore interface {
	// PutAssignment inserts the assignment or replaces the one with the
	// same (PartnerID, ID). It returns ErrTargetAssigned, writing nothing,
	// when another assignment (a different ID) of the same partner and
	// cohort has the same (CaseID, CaseSetID).
	PutAssignment(ctx context.Context, a Assignment) error
	// GetAssignment returns the partner's assignment, or ErrNotFound.
	GetAssignment(ctx context.Context, partnerID, id string) (Assignment, error)
	// ListAssignments returns the assignments of the partner's cohort,
	// ordered by CreatedAt, then ID. An unknown cohort gives an empty list.
	ListAssignments(ctx context.Context, partnerID, cohortID string) ([]Assignment, error)
	// DeleteAssignment removes the partner's assignment, or returns
	// ErrNotFound. Sessions launched under it are kept.
	DeleteAssignment(ctx context.Context, partnerID, id string) error
}

// LearnerStore maps partners' users to our pseudonymous learners.
type LearnerStore interface {
	// UpsertLearner stores a learner keyed by (PartnerID, Subject). When
	// one exists, its Name and LastSeenAt are replaced by l's (an empty
	// Name clears it) and the stored learner is returned, keeping its ID
	// and CreatedAt. Otherwise l is inserted as given and returned.
	UpsertLearner(ctx context.Context, l Learner) (Learner, error)
	// GetLearner returns the partner's learner by our ID, or ErrNotFound.
	GetLearner(ctx context.Context, partnerID, id string) (Learner, error)
	// GetLearnerBySubject returns the partner's learner by the partner's
	// user id, or ErrNotFound.
	GetLearnerBySubject(ctx context.Context, partnerID, subject string) (Learner, error)
}

// TokenStore remembers consumed launch tokens.
type TokenStore interface {
	// ConsumeToken records (Issuer, TokenID). When that pair is already
	// recorded (for any partner) it returns an error for which
	// errors.Is(err, launch.ErrReplayed) holds and records nothing. SQL
	// adapters use a unique constraint, so that of two concurrent
	// transactions consuming one token at most one commits.
	ConsumeToken(ctx context.Context, t ConsumedToken) error
}

// SessionStore holds sessions.
type SessionStore interface {
	// InsertSession stores a new session. It returns ErrAlreadyExists when
	// the ID is taken and ErrAttemptTaken when the partner's learner
	// already has a session with the same (CaseID, Attempt); nothing is
	// written then.
	InsertSession(ctx context.Context, s Session) error
	// UpdateSession replaces the stored session with the same
	// (PartnerID, ID) if and only if the stored Revision equals prev
	// (compare-and-swap). It returns ErrNotFound when absent and
	// ErrStaleRevision, writing nothing, when the revision differs. The
	// caller sets s.Revision above prev and never changes PartnerID,
	// LearnerID, CaseID or Attempt.
	UpdateSession(ctx context.Context, s Session, prev int64) error
	// GetSession returns the partner's session, or ErrNotFound.
	GetSession(ctx context.Context, partnerID, id string) (Session, error)
	// ListLearnerSessions returns every session of the partner's learner
	// (all statuses, previews included), ordered by CreatedAt, then ID.
	ListLearnerSessions(ctx context.Context, partnerID, learnerID string) ([]Session, error)
}

// IdleQuery selects sessions for [IdleSessionLister.ListIdleSessions].
type IdleQuery struct {
	// Statuses are the statuses to include; empty selects none.
	Statuses []Status
	// Before is the exclusive upper bound on LastActivityAt.
	Before time.Time
	// Limit caps the number of sessions; 0 means no cap.
	Limit int
}

// IdleSessionLister finds sessions for the sweep.
type IdleSessionLister interface {
	// ListIdleSessions returns sessions of every partner whose status is
	// in q.Statuses and whose LastActivityAt is before q.Before, ordered
	// by LastActivityAt, then ID, at most q.Limit of them.
	ListIdleSessions(ctx context.Context, q IdleQuery) ([]Session, error)
}

// Tx is the set of operations available inside a transaction, and outside
// one (each call then being its own transaction).
type Tx interface {
	CaseStore
	CaseVersionStore
	CaseSetStore
	CohortStore
	AssignmentStore
	LearnerStore
	TokenStore
	SessionStore
}

// Store is what the [Service] needs from storage.
type Store interface {
	Tx
	IdleSessionLister
	// WithTx runs fn in one transaction and calls it exactly once. When fn
	// returns nil the transaction commits (a commit failure is returned);
	// otherwise it rolls back and fn's error is returned unchanged, so
	// errors.Is finds the sentinels above. Nothing fn wrote is visible to
	// others before the commit, and a rolled-back transaction leaves no
	// trace. fn must use only tx, never the Store, and tx must not be used
	// after fn returns. Concurrent transactions must keep every uniqueness
	// rule above (token, learner subject, assignment target, session
	// attempt) and the revision compare-and-swap; they need not be
	// serializable otherwise (the service retries on ErrAttemptTaken,
	// ErrTargetAssigned and ErrStaleRevision).
	WithTx(ctx context.Context, fn func(tx Tx) error) error
}

// TokenPurger is an optional capability of a [Store]: [Service.Sweep] calls
// it when the store implements it.
type TokenPurger interface {
	// PurgeTokens deletes consumed tokens whose ExpiresAt is before t and
	// returns how many it deleted.
	PurgeTokens(ctx context.Context, before time.Time) (int, error)
}

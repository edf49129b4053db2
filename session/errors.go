package session

import (
	"errors"
	"fmt"
)

// Storage errors, returned by [Store] implementations and passed through by
// the [Service].
var (
	// ErrNotFound is returned by Get... and Delete... store methods, and by
	// the service's lookups, when the record is absent (or belongs to
	// another partner).
	ErrNotFound = errors.New("session: not found")
	// ErrAlreadyExists is returned when inserting a record whose key is
	// taken: a case version already published, a session ID in use.
	ErrAlreadyExists = errors.New("session: already exists")
	// ErrAttemptTaken is returned by InsertSession when the learner already
	// has a session with the same case and attempt number (a launch race).
	ErrAttemptTaken = errors.New("session: attempt number taken")
	// ErrTargetAssigned is returned by PutAssignment when the cohort
	// already has another assignment of the same case or case set.
	ErrTargetAssigned = errors.New("session: case or case set already assigned to cohort")
	// ErrStaleRevision is returned by UpdateSession when the stored
	// revision is not the expected one (a concurrent update won).
	ErrStaleRevision = errors.New("session: stale revision")
	// ErrLeaseLost is returned by a delivery store's RecordAttempt when the
	// event is no longer leased to the dispatcher recording the attempt
	// (its lease ran out and another dispatcher claimed it) or was
	// delivered already.
	ErrLeaseLost = errors.New("session: delivery lease lost")
)

// Service errors. Each failing call writes nothing.
var (
	// ErrInvalid is returned (wrapped in a *ValidationError) when a value
	// given to the service is malformed.
	ErrInvalid = errors.New("session: invalid value")
	// ErrInvalidLaunch is returned by Launch when the launch lacks a
	// partner, issuer, token id, expiry, subject or cohort, or has an
	// unknown role.
	ErrInvalidLaunch = errors.New("session: invalid launch")
	// ErrUnknownCohort is returned by Launch when the partner has no such
	// cohort, and by PutAssignment for an assignment to one.
	ErrUnknownCohort = errors.New("session: unknown cohort")
	// ErrUnknownCase is returned when a case or case set is not in the
	// catalog, or a case has no published version (or not the one named).
	ErrUnknownCase = errors.New("session: unknown case or case set")
	// ErrCaseRetired is returned when assigning a retired case.
	ErrCaseRetired = errors.New("session: case retired")
	// ErrNotAssigned is returned by Launch when the case or case set is not
	// assigned to the cohort and the partner's policy forbids ad-hoc
	// launches, or the case is not part of the assigned case set.
	ErrNotAssigned = errors.New("session: not assigned to cohort")
	// ErrNotOpen is returned by Launch before the assignment opens.
	ErrNotOpen = errors.New("session: assignment not open yet")
	// ErrClosed is returned by Launch after the assignment closes.
	ErrClosed = errors.New("session: assignment closed")
	// ErrAttemptsExhausted is returned by Launch when the learner has used
	// every attempt the assignment allows.
	ErrAttemptsExhausted = errors.New("session: attempts exhausted")
	// ErrChooseCase is returned by Launch when the launch names no case or
	// case set and the cohort has not exactly one open assignment.
	ErrChooseCase = errors.New("session: launch names no case and cohort has " +
		"no single open assignment, choose a case")
	// ErrLaunchCaseSet is returned by Launch when the launch names a case
	// without a case set and several case sets assigned to the cohort hold
	// the case: the launch must name the case set.
	ErrLaunchCaseSet = errors.New("session: case belongs to several assigned case sets, " +
		"launch the case set")
	// ErrOutOfSequence is returned by Launch when a sequential case set's
	// case is named before every case ahead of it is completed.
	ErrOutOfSequence = errors.New("session: case not unlocked in sequence")
	// ErrCaseSetDone is returned by Launch when a case set launch names no
	// case and every case of the set has a completed session.
	ErrCaseSetDone = errors.New("session: every case of the set is completed")
	// ErrInvalidTransition is returned (wrapped in a *TransitionError) when
	// an event does not apply to the session's status.
	ErrInvalidTransition = errors.New("session: invalid transition")
	// ErrConflict is returned when an operation still conflicts with
	// concurrent ones after the service's retries.
	ErrConflict = errors.New("session: too many concurrent updates")
	// ErrIdentifier is returned (wrapped in an *IdentifierError) by
	// PutCase, PublishCaseVersion and PutCaseSet when a title, summary or
	// tag contains something shaped like a real identifier.
	ErrIdentifier = errors.New("session: real identifier in case metadata")
	// ErrUnsupported is returned by DeleteLearner and Purge when the store
	// lacks the optional capability they need ([LearnerEraser],
	// [RetentionStore]).
	ErrUnsupported = errors.New("session: store does not support the operation")
)

// ValidationError says which field of a value is malformed. It matches
// [ErrInvalid] with errors.Is.
type ValidationError struct {
	// Field names the field, e.g. "case.id" or "assignment.max_attempts".
	Field string
	// Reason says what is wrong, without echoing the value.
	Reason string
	// Err is an underlying cause (e.g. a scoring validation error), or nil.
	Err error
}

// Error returns "session: invalid <field>: <reason>".
func (e *ValidationError) Error() string {
	msg := fmt.Sprintf("session: invalid %s: %s", e.Field, e.Reason)
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}

	return msg
}

// Is reports whether target is ErrInvalid.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }

// Unwrap returns the underlying cause.
func (e *ValidationError) Unwrap() error { return e.Err }

func invalid(field, reason string) error {
	return &ValidationError{Field: field, Reason: reason}
}

// TransitionError is an event that does not apply to a session's status. It
// matches [ErrInvalidTransition] with errors.Is.
type TransitionError struct {
	// From is the session's status.
	From Status
	// Event is the rejected event.
	Event Event
}

// Error returns "session: invalid transition: <event> from <status>".
func (e *TransitionError) Error() string {
	return fmt.Sprintf("session: invalid transition: %s from %s", e.Event, e.From)
}

// Is reports whether target is ErrInvalidTransition.
func (e *TransitionError) Is(target error) bool { return target == ErrInvalidTransition }

package session

// Event is something that happens to a session.
type Event string

// Events of the session state machine.
const (
	// EventStart moves created to in_progress.
	EventStart Event = "start"
	// EventExpire voids a created session never used (not_started).
	EventExpire Event = "expire"
	// EventSuspend moves in_progress to suspended.
	EventSuspend Event = "suspend"
	// EventResume moves suspended to in_progress.
	EventResume Event = "resume"
	// EventComplete moves in_progress to completed.
	EventComplete Event = "complete"
	// EventAbandon moves in_progress or suspended to abandoned.
	EventAbandon Event = "abandon"
	// EventVoid moves any status but voided to voided.
	EventVoid Event = "void"
	// EventRegrade keeps a completed session completed with a new score.
	EventRegrade Event = "regrade"
	// EventActivity records learner activity on an in-progress session;
	// the status does not change. It is not in the domain table, which
	// lists status changes only.
	EventActivity Event = "activity"
)

// Next returns the status an event leads to from a status, or a
// *TransitionError (matching ErrInvalidTransition) when the event does not
// apply. It is the state machine of the domain reference:
//
//	created      start             in_progress
//	created      expire            voided (not_started)
//	in_progress  suspend           suspended
//	suspended    resume            in_progress
//	in_progress  complete          completed
//	in_progress  abandon           abandoned
//	suspended    abandon           abandoned
//	any but voided  void           voided
//	completed    regrade           completed
//	in_progress  activity          in_progress (not a status change)
func Next(from Status, ev Event) (Status, error) {
	to, ok := transitions[from][ev]
	if !ok {
		return from, &TransitionError{From: from, Event: ev}
	}

	return to, nil
}

var transitions = map[Status]map[Event]Status{
	StatusCreated: {
		EventStart:  StatusInProgress,
		EventExpire: StatusVoided,
		EventVoid:   StatusVoided,
	},
	StatusInProgress: {
		EventSuspend:  StatusSuspended,
		EventActivity: StatusInProgress,
		EventComplete: StatusCompleted,
		EventAbandon:  StatusAbandoned,
		EventVoid:     StatusVoided,
	},
	StatusSuspended: {
		EventResume:  StatusInProgress,
		EventAbandon: StatusAbandoned,
		EventVoid:    StatusVoided,
	},
	StatusCompleted: {
		EventRegrade: StatusCompleted,
		EventVoid:    StatusVoided,
	},
	StatusAbandoned: {
		EventVoid: StatusVoided,
	},
}

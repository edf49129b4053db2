package session

import "time"

// This file holds the values of webhook delivery state kept with the
// outbox. The dispatcher in reporting/webhook consumes them through its
// DeliveryStore interface; the adapters implement it on their Store.

// Delivery is an outbox event with its delivery state.
type Delivery struct {
	// Event is the stored event.
	Event OutboxEvent
	// Attempts counts the attempts claimed so far.
	Attempts int
	// NextAttemptAt is when the event is next due.
	NextAttemptAt time.Time
	// LeaseOwner is the dispatcher holding the event, or empty.
	LeaseOwner string
	// LeaseUntil is when the lease ends; zero without a lease.
	LeaseUntil time.Time
	// DeliveredAt is when the partner accepted the event; zero until then.
	DeliveredAt time.Time
	// DeadAt is when the event was parked as dead; zero unless dead.
	DeadAt time.Time
	// LastAttemptAt is when the last attempt ended; zero before one.
	LastAttemptAt time.Time
	// LastStatus is the HTTP status of the last attempt; 0 when none was
	// received (a timeout, a refused connection).
	LastStatus int
	// LastError says why the last attempt failed, without secrets.
	LastError string
}

// ClaimQuery selects the events a dispatcher leases for delivery.
type ClaimQuery struct {
	// Owner names the dispatcher; it must not be empty.
	Owner string
	// Partners are the partners with an endpoint; events of others are
	// not claimed. Empty claims nothing.
	Partners []string
	// Now is the current time: due events have NextAttemptAt ≤ Now and no
	// lease ending after Now.
	Now time.Time
	// LeaseUntil is when the leases taken end.
	LeaseUntil time.Time
	// Limit caps the number of events; it must be positive.
	Limit int
}

// AttemptResult is the end of one delivery attempt.
type AttemptResult struct {
	// EventID is the event.
	EventID string
	// Owner is the dispatcher that claimed it.
	Owner string
	// At is when the attempt ended.
	At time.Time
	// Delivered reports that the partner accepted the event.
	Delivered bool
	// Dead parks an undelivered event: it is not retried until replayed.
	Dead bool
	// NextAttemptAt is when an undelivered, live event is due again.
	NextAttemptAt time.Time
	// Status is the HTTP status received, or 0.
	Status int
	// Error says why the attempt failed; empty when delivered.
	Error string
}

// DeadQuery selects dead events.
type DeadQuery struct {
	// PartnerID narrows to one partner; empty selects every partner.
	PartnerID string
	// AfterSeq selects events with a greater Seq, for paging.
	AfterSeq int64
	// Limit caps the number of events; 0 means no cap.
	Limit int
}

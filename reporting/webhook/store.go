package webhook

import (
	"context"
	"time"

	"github.com/virtualaipatient/integration/session"
)

// DeliveryStore is the delivery state kept with the outbox. The Store of
// store/memory, store/sqlite and store/postgres implements it; the
// conformance suite store/storetest.RunOutbox checks an implementation.
type DeliveryStore interface {
	// ClaimDeliveries leases up to q.Limit due events of q.Partners to
	// q.Owner until q.LeaseUntil and increments their Attempts. An event is
	// due when it is neither delivered nor dead, its NextAttemptAt is not
	// after q.Now and it has no lease ending after q.Now. An event is never
	// claimed while an earlier event (lower Seq) of the same partner and
	// stream is neither delivered nor dead. Results are in Seq order.
	// Concurrent claims never lease one event to two owners.
	ClaimDeliveries(ctx context.Context, q session.ClaimQuery) ([]session.Delivery, error)
	// RecordAttempt stores the end of an attempt and releases the lease.
	// It returns session.ErrNotFound for an unknown event and
	// session.ErrLeaseLost, writing nothing, when r.Owner no longer holds
	// the lease or the event was delivered.
	RecordAttempt(ctx context.Context, r session.AttemptResult) error
	// ListDeadDeliveries returns dead events in Seq order.
	ListDeadDeliveries(ctx context.Context, q session.DeadQuery) ([]session.Delivery, error)
	// ReplayDeliveries makes the dead events among ids due at now with
	// Attempts reset to 0, and returns how many it revived. Unknown and
	// live ids are ignored.
	ReplayDeliveries(ctx context.Context, ids []string, now time.Time) (int, error)
}

// ClaimReleaser is an optional capability of a [DeliveryStore], used by
// the dispatcher to give back a claim it did not start: an event whose
// lease has too little left for an attempt, or a pass being stopped.
// The Store of store/memory, store/sqlite and store/postgres implements it.
//
// NOTE: without it a claim the dispatcher did not start waits for its lease
// to expire and counts as an attempt, so that an event may be parked as dead
// after fewer than MaxAttempts attempts.
type ClaimReleaser interface {
	// ReleaseClaim undoes a claim of ClaimDeliveries: when owner still
	// holds the event's lease ending at leaseUntil and the event is neither
	// delivered nor dead, it clears the lease and takes back the attempt
	// the claim counted, in one step, so that the event is due again at
	// once. It returns session.ErrNotFound for an unknown event and
	// session.ErrLeaseLost, writing nothing, when that lease is not held.
	ReleaseClaim(ctx context.Context, eventID, owner string, leaseUntil time.Time) error
}

// DeliveredPurger is an optional capability of a [DeliveryStore], used by
// [Dispatcher.PurgeDelivered].
type DeliveredPurger interface {
	// PurgeDelivered deletes events delivered before the time and returns
	// how many it deleted.
	PurgeDelivered(ctx context.Context, before time.Time) (int, error)
}

package postgres

import (
	"context"
	"time"

	"github.com/virtualaipatient/integration/internal/sqlstore"
	"github.com/virtualaipatient/integration/session"
)

// The methods below are the webhook delivery store (see reporting/webhook
// DeliveryStore) on the outbox table. A claim selects due rows FOR UPDATE
// SKIP LOCKED and leases them in one transaction, so concurrent dispatchers
// never lease the same event.

func (s *Store) deliveries() *sqlstore.Deliveries {
	return sqlstore.NewDeliveries(s.db, dialect, sqlstore.LockSkipLocked)
}

// ClaimDeliveries leases due events; see [sqlstore.Deliveries].
func (s *Store) ClaimDeliveries(ctx context.Context, q session.ClaimQuery) (
	[]session.Delivery, error) {
	return s.deliveries().ClaimDeliveries(ctx, q)
}

// RecordAttempt stores the end of an attempt and releases the lease.
func (s *Store) RecordAttempt(ctx context.Context, r session.AttemptResult) error {
	return s.deliveries().RecordAttempt(ctx, r)
}

// ReleaseClaim gives back a claim that was not started; see
// [sqlstore.Deliveries].
func (s *Store) ReleaseClaim(ctx context.Context, eventID, owner string,
	leaseUntil time.Time) error {
	return s.deliveries().ReleaseClaim(ctx, eventID, owner, leaseUntil)
}

// ListDeadDeliveries returns dead events in Seq order.
func (s *Store) ListDeadDeliveries(ctx context.Context, q session.DeadQuery) (
	[]session.Delivery, error) {
	return s.deliveries().ListDeadDeliveries(ctx, q)
}

// ReplayDeliveries makes dead events due again.
func (s *Store) ReplayDeliveries(ctx context.Context, ids []string, now time.Time) (int, error) {
	return s.deliveries().ReplayDeliveries(ctx, ids, now)
}

// PurgeDelivered deletes events delivered before the time.
func (s *Store) PurgeDelivered(ctx context.Context, before time.Time) (int, error) {
	return s.deliveries().PurgeDelivered(ctx, before)
}

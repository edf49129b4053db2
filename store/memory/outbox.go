package memory

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/virtualaipatient/integration/session"
)

// outbox holds the webhook events and their delivery state, in Seq order.
type outbox struct {
	seq  int64
	rows []*session.Delivery
	byID map[string]*session.Delivery
}

// box returns the outbox, creating it. Callers hold the write lock.
func (d *data) box() *outbox {
	if d.outbox == nil {
		d.outbox = &outbox{byID: map[string]*session.Delivery{}}
	}

	return d.outbox
}

var _ session.OutboxWriter = (*txn)(nil)

// AppendEvents implements [session.OutboxWriter].
func (tx *txn) AppendEvents(ctx context.Context, events []session.OutboxEvent) error {
	if err := tx.check(ctx, true); err != nil {
		return err
	}

	b := tx.d.box()
	for _, e := range events {
		if _, taken := b.byID[e.ID]; taken || e.ID == "" {
			return fmt.Errorf("memory: append event: %w", session.ErrAlreadyExists)
		}
	}

	oldSeq, oldLen := b.seq, len(b.rows)
	for _, e := range events {
		b.seq++
		e.Seq, e.OccurredAt = b.seq, utc(e.OccurredAt)
		e.Payload = slices.Clone(e.Payload)
		row := &session.Delivery{Event: e, NextAttemptAt: e.OccurredAt}
		b.rows = append(b.rows, row)
		b.byID[e.ID] = row
	}

	tx.undo = append(tx.undo, func() {
		for _, row := range b.rows[oldLen:] {
			delete(b.byID, row.Event.ID)
		}

		b.rows, b.seq = b.rows[:oldLen], oldSeq
	})

	return nil
}

// deliveries runs fn with the outbox under the write lock.
func (s *Store) deliveries(ctx context.Context, fn func(b *outbox) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}

	s.mu.Lock()
	defer s.mu.Unlock()

	return fn(s.d.box())
}

func copyDelivery(d *session.Delivery) session.Delivery {
	out := *d
	out.Event.Payload = slices.Clone(d.Event.Payload)
	return out
}

type streamKey struct{ partner, stream string }

// ClaimDeliveries leases up to q.Limit due events of q.Partners, at most
// one per stream: the stream's earliest event neither delivered nor dead.
func (s *Store) ClaimDeliveries(ctx context.Context, q session.ClaimQuery) (
	[]session.Delivery, error) {
	var out []session.Delivery
	err := s.deliveries(ctx, func(b *outbox) error {
		heads := map[streamKey]bool{}
		for _, row := range b.rows {
			if len(out) >= q.Limit {
				return nil
			}

			if !row.DeliveredAt.IsZero() || !row.DeadAt.IsZero() {
				continue
			}

			k := streamKey{row.Event.PartnerID, row.Event.Stream}
			if heads[k] {
				continue
			}

			heads[k] = true
			if claimable(row, q) {
				row.LeaseOwner, row.LeaseUntil = q.Owner, utc(q.LeaseUntil)
				row.Attempts++
				out = append(out, copyDelivery(row))
			}
		}

		return nil
	})

	return out, err
}

func claimable(row *session.Delivery, q session.ClaimQuery) bool {
	return slices.Contains(q.Partners, row.Event.PartnerID) &&
		!row.NextAttemptAt.After(q.Now) && !row.LeaseUntil.After(q.Now)
}

// RecordAttempt stores the end of an attempt. It returns ErrNotFound for
// an unknown event and ErrLeaseLost when r.Owner no longer holds it.
func (s *Store) RecordAttempt(ctx context.Context, r session.AttemptResult) error {
	return s.deliveries(ctx, func(b *outbox) error {
		row, ok := b.byID[r.EventID]
		if !ok {
			return notFound("delivery")
		}

		if row.LeaseOwner != r.Owner || r.Owner == "" || !row.DeliveredAt.IsZero() {
			return fmt.Errorf("memory: record attempt: %w", session.ErrLeaseLost)
		}

		row.LeaseOwner, row.LeaseUntil = "", time.Time{}
		row.LastAttemptAt, row.LastStatus, row.LastError = utc(r.At), r.Status, r.Error
		switch {
		case r.Delivered:
			row.DeliveredAt, row.LastError = utc(r.At), ""
		case r.Dead:
			row.DeadAt = utc(r.At)
		default:
			row.NextAttemptAt = utc(r.NextAttemptAt)
		}

		return nil
	})
}

// ReleaseClaim gives back a claim that was not started: when owner still
// holds the event's lease ending at leaseUntil and the event is neither
// delivered nor dead, it clears the lease and takes back the attempt the
// claim counted. It returns ErrNotFound for an unknown event and
// ErrLeaseLost otherwise.
func (s *Store) ReleaseClaim(ctx context.Context, eventID, owner string,
	leaseUntil time.Time) error {
	return s.deliveries(ctx, func(b *outbox) error {
		row, ok := b.byID[eventID]
		if !ok {
			return notFound("delivery")
		}

		held := owner != "" && row.LeaseOwner == owner &&
			row.LeaseUntil.Equal(utc(leaseUntil)) &&
			row.DeliveredAt.IsZero() && row.DeadAt.IsZero()
		if !held {
			return fmt.Errorf("memory: release claim: %w", session.ErrLeaseLost)
		}

		row.LeaseOwner, row.LeaseUntil = "", time.Time{}
		row.Attempts = max(row.Attempts-1, 0)
		return nil
	})
}

// ListDeadDeliveries returns dead events in Seq order.
func (s *Store) ListDeadDeliveries(ctx context.Context, q session.DeadQuery) (
	[]session.Delivery, error) {
	var out []session.Delivery
	err := s.deliveries(ctx, func(b *outbox) error {
		for _, row := range b.rows {
			if q.Limit > 0 && len(out) >= q.Limit {
				break
			}

			dead := !row.DeadAt.IsZero() && row.Event.Seq > q.AfterSeq
			if dead && (q.PartnerID == "" || q.PartnerID == row.Event.PartnerID) {
				out = append(out, copyDelivery(row))
			}
		}

		return nil
	})

	return out, err
}

// ReplayDeliveries makes the dead events among ids due at now with their
// attempts reset, and returns how many it revived.
func (s *Store) ReplayDeliveries(ctx context.Context, ids []string, now time.Time) (int, error) {
	n := 0
	err := s.deliveries(ctx, func(b *outbox) error {
		for _, id := range ids {
			row, ok := b.byID[id]
			if !ok || row.DeadAt.IsZero() {
				continue
			}

			row.DeadAt, row.Attempts, row.NextAttemptAt = time.Time{}, 0, utc(now)
			n++
		}

		return nil
	})

	return n, err
}

// PurgeDelivered forgets events delivered before the time and returns how
// many it forgot.
func (s *Store) PurgeDelivered(ctx context.Context, before time.Time) (int, error) {
	n := 0
	err := s.deliveries(ctx, func(b *outbox) error {
		kept := b.rows[:0]
		for _, row := range b.rows {
			if !row.DeliveredAt.IsZero() && row.DeliveredAt.Before(before) {
				delete(b.byID, row.Event.ID)
				n++
				continue
			}

			kept = append(kept, row)
		}

		clear(b.rows[len(kept):])
		b.rows = kept
		return nil
	})

	return n, err
}

package session

import (
	"context"
	"fmt"
	"time"
)

// OutboxWriter is an optional capability of a [Tx]: the transactional
// outbox of webhook events. When the transaction of a session change
// implements it, the [Service] appends the change's events in that same
// transaction, so an event is stored if and only if its change commits.
// Every adapter of this module implements it.
type OutboxWriter interface {
	// AppendEvents stores the events, in order, as pending deliveries due
	// at their OccurredAt. Each gets the next Seq. The events are written
	// with the transaction: a rollback leaves none of them.
	AppendEvents(ctx context.Context, events []OutboxEvent) error
}

// eventTypes returns the outbox events a change from prev to next causes,
// in the order they are delivered.
func eventTypes(prev, next Session) []EventType {
	var out []EventType
	if prev.Status != next.Status {
		switch next.Status {
		case StatusInProgress:
			if prev.Status == StatusCreated {
				out = append(out, EventTypeSessionStarted)
			}
		case StatusCompleted:
			out = append(out, EventTypeSessionCompleted)
		case StatusAbandoned:
			out = append(out, EventTypeSessionAbandoned)
		case StatusVoided:
			out = append(out, EventTypeSessionVoided)
		}
	}

	if next.ScoreRevision > prev.ScoreRevision && next.Score != nil {
		out = append(out, EventTypeSessionScored)
	}

	return out
}

// encoder returns the configured [EventEncoder] or the default.
func (s *Service) encoder() EventEncoder {
	if s.Events != nil {
		return s.Events
	}

	return ThinEventEncoder{}
}

// appendEvents writes the events of a session change to the outbox of tx,
// when tx has one. It is called by every path that updates a session,
// right after the update, inside its transaction. Preview sessions and
// anonymised ones cause no events.
func (s *Service) appendEvents(
	ctx context.Context, tx Tx, prev, next Session, now time.Time,
) error {
	// An anonymised session (its learner erased, the session kept for
	// aggregates) is never told to the partner: it would tie the new id
	// to the erased one by its times and case.
	w, ok := tx.(OutboxWriter)
	if !ok || s.OutboxDisabled || next.Preview || next.Anonymised() {
		return nil
	}

	types := eventTypes(prev, next)
	if len(types) == 0 {
		return nil
	}

	events := make([]OutboxEvent, 0, len(types))
	for _, typ := range types {
		e := OutboxEvent{ID: newID(), Type: typ, PartnerID: next.PartnerID,
			Stream: next.ID, SessionID: next.ID, Revision: next.Revision, OccurredAt: now}
		snapshot := next
		body, err := s.encoder().EncodeEvent(ctx, tx, EventContent{Event: e, Session: &snapshot})
		if err != nil {
			return fmt.Errorf("session: encode event: %w", err)
		}

		e.Payload = body
		events = append(events, e)
	}

	if err := w.AppendEvents(ctx, events); err != nil {
		return fmt.Errorf("session: outbox: %w", err)
	}

	return nil
}

// AppendDeletionEvent writes a learner.deleted event for r to the outbox
// of tx. Call it inside the transaction (Store.WithTx) that deletes the
// learner's data, so the event exists if and only if the deletion commits.
// r.ID and r.DeletedAt are filled in when empty. It does nothing when tx
// has no outbox or OutboxDisabled is set.
func (s *Service) AppendDeletionEvent(ctx context.Context, tx Tx, r DeletionReceipt) error {
	w, ok := tx.(OutboxWriter)
	if !ok || s.OutboxDisabled {
		return nil
	}

	if r.PartnerID == "" || r.LearnerID == "" {
		return invalid("deletion", "partner and learner are required")
	}

	if r.ID == "" {
		r.ID = newID()
	}

	if r.DeletedAt.IsZero() {
		r.DeletedAt = s.now()
	}

	e := OutboxEvent{ID: newID(), Type: EventTypeLearnerDeleted, PartnerID: r.PartnerID,
		Stream: "learner:" + r.LearnerID, OccurredAt: r.DeletedAt.UTC()}
	body, err := s.encoder().EncodeEvent(ctx, tx, EventContent{Event: e, Deletion: &r})
	if err != nil {
		return fmt.Errorf("session: encode event: %w", err)
	}

	e.Payload = body
	if err := w.AppendEvents(ctx, []OutboxEvent{e}); err != nil {
		return fmt.Errorf("session: outbox: %w", err)
	}

	return nil
}

package session

import (
	"context"
	"encoding/json"
	"time"
)

// EventType names a change a partner is told about by webhook.
type EventType string

// Event types written to the outbox.
const (
	// EventTypeSessionStarted is written when a created session starts.
	EventTypeSessionStarted EventType = "session.started"
	// EventTypeSessionCompleted is written when a session completes.
	EventTypeSessionCompleted EventType = "session.completed"
	// EventTypeSessionScored is written for each new score revision: at a
	// completion with a score and at every regrade.
	EventTypeSessionScored EventType = "session.scored"
	// EventTypeSessionAbandoned is written when a session is abandoned.
	EventTypeSessionAbandoned EventType = "session.abandoned"
	// EventTypeSessionVoided is written when a session is voided, expiry
	// included.
	EventTypeSessionVoided EventType = "session.voided"
	// EventTypeLearnerDeleted is written by [Service.AppendDeletionEvent]
	// when a learner's data is deleted.
	EventTypeLearnerDeleted EventType = "learner.deleted"
)

// OutboxEvent is one event in the outbox: written in the transaction of
// the change that caused it, with its body bytes fixed then, so every
// delivery attempt sends the same bytes.
type OutboxEvent struct {
	// ID is a random UUID, stable across attempts (the webhook-id).
	ID string
	// Seq is assigned by the store when the event is appended and
	// increases in append order; it is 0 in the value given to
	// [OutboxWriter.AppendEvents].
	Seq int64
	// Type is what happened.
	Type EventType
	// PartnerID is the partner the event is for.
	PartnerID string
	// Stream is the ordering key: events of one partner and stream are
	// delivered one at a time, in Seq order. It is the session ID for
	// session events and "learner:" plus our learner ID for deletions.
	Stream string
	// SessionID is the session, or empty for a deletion.
	SessionID string
	// Revision is the session's revision after the change; 0 for a
	// deletion.
	Revision int64
	// OccurredAt is the time of the change, UTC.
	OccurredAt time.Time
	// Payload is the exact body sent to the partner.
	Payload []byte
}

// DeletionReceipt records that a learner's data was deleted.
type DeletionReceipt struct {
	// ID is a random UUID identifying the deletion.
	ID string
	// PartnerID is the learner's partner.
	PartnerID string
	// LearnerID is our pseudonymous learner ID.
	LearnerID string
	// PartnerUserID is the partner's user id (sub) of the learner.
	PartnerUserID string
	// SessionIDs are the sessions whose data was deleted, by the ids the
	// partner knew them by (anonymised sessions were given new ids).
	SessionIDs []string
	// DeletedAt is when the deletion was done.
	DeletedAt time.Time
	// Counts says how many records of each kind were deleted or
	// anonymised.
	Counts ErasureCounts
}

// EventContent is what an [EventEncoder] turns into a body: the event's
// metadata and either the session after the change or a deletion receipt.
type EventContent struct {
	// Event is the event, without Payload and Seq.
	Event OutboxEvent
	// Session is the session after the change, or nil for a deletion.
	Session *Session
	// Deletion is the receipt of a learner.deleted event, or nil.
	Deletion *DeletionReceipt
}

// EventEncoder builds the body of an outbox event. It runs inside the
// transaction of the change and may read through tx (a case title, for
// example) but must not write. Its output must depend only on c and the
// stored data, so that the body is a snapshot of the change. Package
// reporting implements it with the full session summary
// (reporting.WebhookEncoder).
type EventEncoder interface {
	// EncodeEvent returns the body of the event.
	EncodeEvent(ctx context.Context, tx Tx, c EventContent) ([]byte, error)
}

// EventEncoderFunc adapts a function to [EventEncoder].
type EventEncoderFunc func(ctx context.Context, tx Tx, c EventContent) ([]byte, error)

// EncodeEvent calls f.
func (f EventEncoderFunc) EncodeEvent(
	ctx context.Context, tx Tx, c EventContent,
) ([]byte, error) {
	return f(ctx, tx, c)
}

// ThinEventEncoder is the [Service]'s default [EventEncoder]. Its body is
// a "thin" event that a partner follows up with a read of the session
// summary:
//
//	{"id":"…","type":"session.completed","timestamp":"2026-03-02T09:00:00.000Z",
//	 "revision":4,"data":{"session_id":"…","partner_id":"…","status":"completed",
//	 "grading_status":"fully_graded"}}
//
// A learner.deleted event carries the receipt's id, partner user id and
// session ids in data instead.
type ThinEventEncoder struct{}

// thinEnvelope is the body of [ThinEventEncoder], the same envelope as
// package reporting's webhook events.
type thinEnvelope struct {
	ID        string    `json:"id"`
	Type      EventType `json:"type"`
	Timestamp string    `json:"timestamp"`
	Revision  int64     `json:"revision"`
	Data      any       `json:"data"`
}

type thinSession struct {
	SessionID     string        `json:"session_id"`
	PartnerID     string        `json:"partner_id"`
	Status        Status        `json:"status"`
	GradingStatus GradingStatus `json:"grading_status"`
}

type thinDeletion struct {
	DeletionID    string     `json:"deletion_id"`
	PartnerID     string     `json:"partner_id"`
	PartnerUserID string     `json:"partner_user_id"`
	SessionIDs    []string   `json:"session_ids"`
	Counts        thinCounts `json:"counts"`
}

type thinCounts struct {
	Learners           int `json:"learners"`
	SessionsDeleted    int `json:"sessions_deleted"`
	SessionsAnonymised int `json:"sessions_anonymised"`
	OutboxEvents       int `json:"outbox_events"`
	LaunchCodes        int `json:"launch_codes"`
}

// EncodeEvent returns the thin JSON body of the event.
func (ThinEventEncoder) EncodeEvent(_ context.Context, _ Tx, c EventContent) ([]byte, error) {
	env := thinEnvelope{
		ID: c.Event.ID, Type: c.Event.Type, Revision: c.Event.Revision,
		Timestamp: c.Event.OccurredAt.UTC().Format("2006-01-02T15:04:05.000Z"),
	}
	switch {
	case c.Session != nil:
		env.Data = thinSession{SessionID: c.Session.ID, PartnerID: c.Session.PartnerID,
			Status: c.Session.Status, GradingStatus: c.Session.GradingStatus}
	case c.Deletion != nil:
		ids := c.Deletion.SessionIDs
		if ids == nil {
			ids = []string{}
		}

		env.Data = thinDeletion{DeletionID: c.Deletion.ID, PartnerID: c.Deletion.PartnerID,
			PartnerUserID: c.Deletion.PartnerUserID, SessionIDs: ids,
			Counts: thinCounts(c.Deletion.Counts)}
	}

	return json.Marshal(env)
}

package reporting

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/virtualaipatient/integration/session"
)

// Webhook event types, as in the type member of a [WebhookEvent]. They are
// the session.EventType values.
const (
	// WebhookSessionStarted is sent when a session starts.
	WebhookSessionStarted = string(session.EventTypeSessionStarted)
	// WebhookSessionCompleted is sent when a session completes.
	WebhookSessionCompleted = string(session.EventTypeSessionCompleted)
	// WebhookSessionScored is sent for each new score revision.
	WebhookSessionScored = string(session.EventTypeSessionScored)
	// WebhookSessionAbandoned is sent when a session is abandoned.
	WebhookSessionAbandoned = string(session.EventTypeSessionAbandoned)
	// WebhookSessionVoided is sent when a session is voided.
	WebhookSessionVoided = string(session.EventTypeSessionVoided)
	// WebhookLearnerDeleted is sent when a learner's data is deleted.
	WebhookLearnerDeleted = string(session.EventTypeLearnerDeleted)
)

// WebhookEvent is the body of a webhook delivery. Data is a
// [SessionSummary] for session events (as of the change, so a later
// revision never alters an earlier event) and a [DeletionReceipt] for
// learner.deleted. A consumer drops an ID it has seen and, per session, a
// Revision below the highest it holds.
type WebhookEvent struct {
	// ID is the event's id, equal to the webhook-id header and stable
	// across delivery attempts.
	ID string `json:"id"`
	// Type is one of the Webhook... constants.
	Type string `json:"type"`
	// Timestamp is when the change happened.
	Timestamp *Time `json:"timestamp"`
	// Revision is the session's revision after the change; 0 for
	// learner.deleted.
	Revision int64 `json:"revision"`
	// Data is the summary or the deletion receipt, as JSON.
	Data json.RawMessage `json:"data"`
}

// DeletionReceipt is the data of a learner.deleted event.
type DeletionReceipt struct {
	// DeletionID identifies the deletion.
	DeletionID string `json:"deletion_id"`
	// PartnerID is the learner's partner.
	PartnerID string `json:"partner_id"`
	// PartnerUserID is the partner's user id (sub) of the learner.
	PartnerUserID string `json:"partner_user_id"`
	// SessionIDs are the sessions whose data was deleted.
	SessionIDs []string `json:"session_ids"`
	// DeletedAt is when the deletion was done.
	DeletedAt *Time `json:"deleted_at"`
	// Counts says how many records of each kind were deleted or
	// anonymised; all zero when there was nothing to delete.
	Counts DeletionCounts `json:"counts"`
}

// DeletionCounts counts what one learner deletion removed.
type DeletionCounts struct {
	// Learners counts learner records deleted (0 or 1).
	Learners int `json:"learners"`
	// SessionsDeleted counts sessions deleted.
	SessionsDeleted int `json:"sessions_deleted"`
	// SessionsAnonymised counts sessions kept for aggregates without the
	// person (new id, no partner user id, a tombstone learner).
	SessionsAnonymised int `json:"sessions_anonymised"`
	// OutboxEvents counts webhook events about the learner's sessions
	// deleted, delivered or not.
	OutboxEvents int `json:"outbox_events"`
	// LaunchCodes counts one-time launch codes deleted.
	LaunchCodes int `json:"launch_codes"`
}

// errNoContent is returned when an event has neither session nor receipt.
var errNoContent = errors.New("reporting: webhook event has no session or receipt")

// WebhookEncoder is the session.EventEncoder that makes [WebhookEvent]
// bodies with the full [SessionSummary], built as of the change's time with
// the title of the session's case version read in the change's
// transaction. Set it as session.Service.Events on a host that sends
// webhooks.
type WebhookEncoder struct{}

var _ session.EventEncoder = WebhookEncoder{}

// EncodeEvent returns the JSON body of the event.
func (WebhookEncoder) EncodeEvent(
	ctx context.Context, tx session.Tx, c session.EventContent,
) ([]byte, error) {
	ev := WebhookEvent{ID: c.Event.ID, Type: string(c.Event.Type),
		Timestamp: NewTime(c.Event.OccurredAt), Revision: c.Event.Revision}
	var (
		data any
		err  error
	)
	switch {
	case c.Session != nil:
		data, err = webhookSummary(ctx, tx, *c.Session, c.Event)
	case c.Deletion != nil:
		data = newDeletionReceipt(*c.Deletion)
	default:
		return nil, errNoContent
	}

	if err != nil {
		return nil, err
	}

	if ev.Data, err = json.Marshal(data); err != nil {
		return nil, fmt.Errorf("reporting: webhook event: %w", err)
	}

	return json.Marshal(ev)
}

func webhookSummary(
	ctx context.Context, tx session.Tx, s session.Session, e session.OutboxEvent,
) (SessionSummary, error) {
	title := ""
	major, minor, err := session.ParseVersion(s.CaseVersion)
	if err == nil {
		v, err := tx.GetCaseVersion(ctx, s.CaseID, major, minor)
		if err != nil && !errors.Is(err, session.ErrNotFound) {
			return SessionSummary{}, fmt.Errorf("reporting: webhook event: %w", err)
		}

		title = v.Title
	}

	return NewSessionSummary(s, title, e.OccurredAt), nil
}

func newDeletionReceipt(r session.DeletionReceipt) DeletionReceipt {
	ids := r.SessionIDs
	if ids == nil {
		ids = []string{}
	}

	return DeletionReceipt{DeletionID: r.ID, PartnerID: r.PartnerID,
		PartnerUserID: r.PartnerUserID, SessionIDs: ids, DeletedAt: NewTime(r.DeletedAt),
		Counts: DeletionCounts(r.Counts)}
}

package sqlstore

import (
	"context"

	"github.com/virtualaipatient/integration/session"
)

var _ session.OutboxWriter = (*ops)(nil)

// AppendEvents stores the events in the outbox table, in order, as pending
// deliveries due at their OccurredAt. The table's sequence gives each its
// Seq. Inside WithTx the rows commit or roll back with the transaction.
func (o *ops) AppendEvents(ctx context.Context, events []session.OutboxEvent) error {
	for _, e := range events {
		payload := e.Payload
		if payload == nil {
			payload = []byte{}
		}

		_, err := o.exec(ctx, "append event", nil, `
			INSERT INTO webhook_outbox (id, type, partner_id, stream, session_id, revision,
				occurred_at, payload, next_attempt_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			e.ID, string(e.Type), e.PartnerID, e.Stream, e.SessionID, e.Revision,
			o.d.time(e.OccurredAt), payload, o.d.time(e.OccurredAt))
		if err != nil {
			return err
		}
	}

	return nil
}

package reporting_test

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/virtualaipatient/integration/reporting"
	"github.com/virtualaipatient/integration/session"
	"github.com/virtualaipatient/integration/store/memory"
)

func ExampleWebhookEncoder() {
	ctx := context.Background()
	st := memory.New()
	ss := session.Session{ID: "s-1", PartnerID: "partner-a", CaseID: "acs-chest-pain",
		CaseVersion: "1.0", Mode: "assessment", Status: session.StatusAbandoned,
		EndReason: session.EndQuit, GradingStatus: session.GradingNotReady, Revision: 3}
	var body []byte
	err := st.WithTx(ctx, func(tx session.Tx) error {
		var err error
		body, err = reporting.WebhookEncoder{}.EncodeEvent(ctx, tx, session.EventContent{
			Session: &ss, Event: session.OutboxEvent{ID: "evt-1",
				Type: session.EventTypeSessionAbandoned, Revision: 3,
				OccurredAt: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}})
		return err
	})
	if err != nil {
		fmt.Println(err)
		return
	}

	var ev reporting.WebhookEvent
	_ = json.Unmarshal(body, &ev)
	var sum reporting.SessionSummary
	_ = json.Unmarshal(ev.Data, &sum)
	fmt.Println(ev.ID, ev.Type, ev.Revision, sum.SessionID, sum.Status, *sum.EndReason)
	// Output:
	// evt-1 session.abandoned 3 s-1 abandoned quit
}

package session_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/virtualaipatient/integration/session"
)

func ExampleThinEventEncoder() {
	ss := session.Session{ID: "s-1", PartnerID: "partner-a",
		Status: session.StatusCompleted, GradingStatus: session.GradingFullyGraded}
	body, err := session.ThinEventEncoder{}.EncodeEvent(context.Background(), nil,
		session.EventContent{Session: &ss, Event: session.OutboxEvent{ID: "evt-1",
			Type: session.EventTypeSessionCompleted, Revision: 4,
			OccurredAt: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}})
	if err != nil {
		fmt.Println(err)
		return
	}

	var out bytes.Buffer
	_ = json.Indent(&out, body, "", "  ")
	fmt.Println(out.String())
	// Output:
	// {
	//   "id": "evt-1",
	//   "type": "session.completed",
	//   "timestamp": "2026-03-02T09:00:00.000Z",
	//   "revision": 4,
	//   "data": {
	//     "session_id": "s-1",
	//     "partner_id": "partner-a",
	//     "status": "completed",
	//     "grading_status": "fully_graded"
	//   }
	// }
}

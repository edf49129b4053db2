package partner_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/virtualaipatient/integration/partner"
	"github.com/virtualaipatient/integration/reporting"
)

func ExampleClient_DeleteLearner() {
	// A stand-in for VAP: the first delete removes the learner and a
	// session, the next finds nothing to delete. Use VAP's real URL
	// instead.
	deleted := false
	vap := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if !deleted {
			deleted = true
			fmt.Fprint(w, `{"deletion_id":"d-1","partner_id":"acme-cme",`+
				`"partner_user_id":"u-7f3a9c","session_ids":["s-1"],`+
				`"deleted_at":"2026-03-02T09:00:00.000Z","counts":{"learners":1,`+
				`"sessions_deleted":1,"sessions_anonymised":0,"outbox_events":3,`+
				`"launch_codes":0}}`)

			return
		}

		fmt.Fprint(w, `{"deletion_id":"d-2","partner_id":"acme-cme",`+
			`"partner_user_id":"u-7f3a9c","session_ids":[],`+
			`"deleted_at":"2026-03-02T09:05:00.000Z","counts":{"learners":0,`+
			`"sessions_deleted":0,"sessions_anonymised":0,"outbox_events":0,`+
			`"launch_codes":0}}`)
	}))
	defer vap.Close()

	key, _ := partner.GenerateKey()
	ring, _ := partner.NewRing(partner.RingConfig{
		Issuer: "https://cme.acme.example", Audience: "https://vap.example/launch",
	}, key)
	client, _ := partner.NewClient(partner.ClientConfig{
		BaseURL: vap.URL + reporting.DefaultBasePath, Ring: ring,
		APIAudience: "https://vap.example/api",
	})

	// The learner asked to be forgotten: delete by the partner's user id.
	// Deleting again is harmless, so the call is safe to retry.
	for range 2 {
		r, err := client.DeleteLearner(context.Background(), "u-7f3a9c")
		if err != nil {
			panic(err)
		}

		fmt.Println(r.PartnerUserID, r.SessionIDs, r.Counts.Learners, r.Counts.SessionsDeleted)
	}
	// Output:
	// u-7f3a9c [s-1] 1 1
	// u-7f3a9c [] 0 0
}

package webhook_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"time"

	"github.com/google/uuid"

	"github.com/virtualaipatient/integration/launch"
	"github.com/virtualaipatient/integration/partner"
	"github.com/virtualaipatient/integration/reporting"
	"github.com/virtualaipatient/integration/reporting/webhook"
	"github.com/virtualaipatient/integration/session"
	"github.com/virtualaipatient/integration/store/memory"
)

func Example() {
	ctx := context.Background()
	secret := "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw7ZhdnL1qcoM="

	// The partner's endpoint.
	v, _ := partner.NewWebhookVerifier(partner.WebhookConfig{Secrets: []string{secret}})
	srv := httptest.NewTLSServer(v.Handler(func(_ context.Context, e *partner.WebhookEvent) error {
		fmt.Println(e.Type, e.Revision, e.Summary.Status)
		return nil
	}))
	defer srv.Close()

	// The VAP host: a service writing full summaries to the outbox.
	st := memory.New()
	svc := session.New(st)
	svc.Events = reporting.WebhookEncoder{}
	_, _ = svc.PutCase(ctx, session.Case{ID: "acs-chest-pain", Title: "Chest pain"})
	_, _ = svc.PublishCaseVersion(ctx, session.CaseVersion{CaseID: "acs-chest-pain",
		Major: 1, Title: "Chest pain", Rubric: rubric()})
	_, _ = svc.PutCohort(ctx, session.Cohort{PartnerID: "partner-a", ID: "cohort-1"})
	res, err := svc.Launch(ctx, launch.Launch{PartnerID: "partner-a",
		Issuer: "https://lms.example", TokenID: uuid.NewString(),
		ExpiresAt: time.Now().Add(time.Hour), Subject: "user-1", CohortID: "cohort-1",
		CaseID: "acs-chest-pain"})
	if err != nil {
		fmt.Println(err)
		return
	}

	_, _ = svc.Start(ctx, "partner-a", res.Session.ID)
	_, _ = svc.Complete(ctx, "partner-a", res.Session.ID, session.Completion{Input: input(16)})

	// The dispatcher; a host runs d.Run(ctx) in a goroutine instead.
	d, err := webhook.New(webhook.Config{
		Store: st,
		Endpoints: webhook.StaticEndpoints{{PartnerID: "partner-a", URL: srv.URL,
			Secrets: []string{secret}}},
		Client: srv.Client(),
	})
	if err != nil {
		fmt.Println(err)
		return
	}

	for range 3 { // one event of the session per pass
		_, _ = d.DeliverDue(ctx)
	}
	// Output:
	// session.started 2 in_progress
	// session.completed 3 completed
	// session.scored 3 completed
}

func ExampleDispatcher_Replay() {
	ctx := context.Background()
	d, _ := webhook.New(webhook.Config{Store: memory.New(), Endpoints: webhook.StaticEndpoints{}})
	dead, _ := d.ListDead(ctx, session.DeadQuery{})
	n, _ := d.Replay(ctx, "no-such-event")
	fmt.Println(len(dead), n)
	// Output:
	// 0 0
}

func ExampleNewSecret() {
	secret, _ := webhook.NewSecret()
	fmt.Println(secret[:6], len(secret))
	// Output:
	// whsec_ 50
}

package partner_test

import (
	"context"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/partner"
	"github.com/virtualaipatient/integration/reporting"
	"github.com/virtualaipatient/integration/reporting/webhook"
)

// TestWebhooksCarryFullSummaryByDefault runs the whole push path: the
// reporting handler built over a session service whose Events is nil, a
// launch through the partner client, a completion, the dispatcher, and
// the partner's verifier. Every event arrives with the full summary.
func TestWebhooksCarryFullSummaryByDefault(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	assert.Equal(t, reporting.WebhookEncoder{}, e.service.Events,
		"reporting.New fills in the full encoder")

	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw7ZhdnL1qcoM="
	v, err := partner.NewWebhookVerifier(partner.WebhookConfig{Secrets: []string{secret},
		Now: e.clock.Now})
	require.NoError(t, err)

	var mu sync.Mutex
	var got []*partner.WebhookEvent
	record := func(_ context.Context, ev *partner.WebhookEvent) error {
		mu.Lock()
		defer mu.Unlock()

		got = append(got, ev)

		return nil
	}
	hooks := httptest.NewTLSServer(v.Handler(record))
	t.Cleanup(hooks.Close)

	res, err := e.client.Launch(ctx, learner("learner-001"))
	require.NoError(t, err)
	e.complete(res.SessionID)

	d, err := webhook.New(webhook.Config{Store: e.store, Now: e.clock.Now,
		Endpoints: webhook.StaticEndpoints{{PartnerID: partnerID, URL: hooks.URL,
			Secrets: []string{secret}}},
		Client: hooks.Client()})
	require.NoError(t, err)
	for range 3 { // one event of the session per pass
		_, err := d.DeliverDue(ctx)
		require.NoError(t, err)
	}

	mu.Lock()
	defer mu.Unlock()
	require.Len(t, got, 3, "started, completed, scored")
	for _, ev := range got {
		require.NotNil(t, ev.Summary, ev.Type)
		assert.Equal(t, reporting.SummarySchemaVersion, ev.Summary.SchemaVersion, ev.Type)
		assert.Equal(t, res.SessionID, ev.Summary.SessionID)
		assert.Equal(t, "learner-001", ev.Summary.PartnerUserID)
		assert.Equal(t, cohortID, ev.Summary.CohortID)
		assert.Equal(t, "Chest pain", ev.Summary.CaseTitle)
	}

	scored := got[2]
	assert.Equal(t, reporting.WebhookSessionScored, scored.Type)
	require.NotNil(t, scored.Summary.Score, "the score travels in the body")
	assert.InDelta(t, 76.75, scored.Summary.Score.Percent, 1e-9)
}

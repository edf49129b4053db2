package partner_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/virtualaipatient/integration/partner"
)

func ExampleWebhookVerifier_Handler() {
	secret := "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw7ZhdnL1qcoM="
	v, err := partner.NewWebhookVerifier(partner.WebhookConfig{Secrets: []string{secret}})
	if err != nil {
		fmt.Println(err)
		return
	}

	h := v.Handler(func(_ context.Context, e *partner.WebhookEvent) error {
		// Keep the highest revision per session; drop ids already seen.
		fmt.Println(e.Type, e.Summary.SessionID, e.Revision)
		return nil
	})

	// What VAP sends: a body and three signature headers.
	body := []byte(`{"id":"evt-1","type":"session.completed",` +
		`"timestamp":"2026-03-02T09:00:00.000Z","revision":3,` +
		`"data":{"schema_version":"1.0","session_id":"s-1","revision":3,"status":"completed"}}`)
	now := time.Now()
	wh, _ := standardwebhooks.NewWebhook(secret)
	sig, _ := wh.Sign("evt-1", now, body)
	req := httptest.NewRequest(http.MethodPost, "/hooks/vap", bytes.NewReader(body))
	req.Header.Set(partner.WebhookIDHeader, "evt-1")
	req.Header.Set(partner.WebhookTimestampHeader, strconv.FormatInt(now.Unix(), 10))
	req.Header.Set(partner.WebhookSignatureHeader, sig)

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	fmt.Println(rec.Code)
	// Output:
	// session.completed s-1 3
	// 204
}

func ExampleWebhookVerifier_Verify() {
	v, err := partner.NewWebhookVerifier(partner.WebhookConfig{
		Secrets: []string{"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw7ZhdnL1qcoM="}})
	if err != nil {
		fmt.Println(err)
		return
	}

	err = v.Verify(http.Header{}, []byte(`{}`))
	fmt.Println(err)
	// Output:
	// partner: webhook: missing or malformed headers: webhook-id
}

func ExampleDecodeWebhook() {
	e, err := partner.DecodeWebhook("evt-9", []byte(`{"id":"evt-9",`+
		`"type":"learner.deleted","timestamp":"2026-03-02T09:00:00.000Z","revision":0,`+
		`"data":{"deletion_id":"d-1","partner_id":"p","partner_user_id":"u-1",`+
		`"session_ids":["s-1"],"deleted_at":"2026-03-02T09:00:00.000Z"}}`))
	if err != nil {
		fmt.Println(err)
		return
	}

	fmt.Println(e.Type, e.Deletion.PartnerUserID, e.Deletion.SessionIDs)
	// Output:
	// learner.deleted u-1 [s-1]
}

package reporting_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/launch"
	"github.com/virtualaipatient/integration/reporting"
	"github.com/virtualaipatient/integration/reporting/webhook"
	"github.com/virtualaipatient/integration/session"
)

func (e *env) deleteLearner(p partnerKeys, sub string) *httptest.ResponseRecorder {
	return e.do(e.request(http.MethodDelete, "/learners/"+sub, e.credential(p), nil))
}

func TestDeleteLearner(t *testing.T) {
	e := newEnv(t)
	first := e.completeSession(e.a, "user-1", caseAPoints())
	e.completeSession(e.a, "user-2", caseAPoints())
	longest := strings.Repeat("x", 256) // the longest sub a launch token may carry
	long := e.completeSession(e.a, longest, caseAPoints())

	tests := []struct {
		name     string
		partner  partnerKeys
		sub      string
		status   int
		counts   reporting.DeletionCounts
		sessions []string
	}{
		{name: "another partner's learner looks absent", partner: e.b, sub: "user-1",
			status: http.StatusOK},
		{name: "deletes the learner", partner: e.a, sub: "user-1", status: http.StatusOK,
			counts: reporting.DeletionCounts{Learners: 1, SessionsDeleted: 1,
				OutboxEvents: 3}, sessions: []string{first}},
		{name: "deleting twice is harmless", partner: e.a, sub: "user-1",
			status: http.StatusOK},
		{name: "never seen", partner: e.a, sub: "user-404", status: http.StatusOK},
		{name: "longest sub", partner: e.a, sub: longest, status: http.StatusOK,
			counts: reporting.DeletionCounts{Learners: 1, SessionsDeleted: 1,
				OutboxEvents: 3}, sessions: []string{long}},
		{name: "too long", partner: e.a, sub: strings.Repeat("x", 257),
			status: http.StatusBadRequest},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := e.deleteLearner(tc.partner, tc.sub)
			require.Equal(t, tc.status, rec.Code, rec.Body.String())
			if tc.status != http.StatusOK {
				return
			}

			r := decode[reporting.DeletionReceipt](t, rec)
			assert.Equal(t, tc.counts, r.Counts)
			assert.Equal(t, tc.partner.id, r.PartnerID)
			assert.Equal(t, tc.sub, r.PartnerUserID)
			assert.NotEmpty(t, r.DeletionID)
			assert.Equal(t, append([]string{}, tc.sessions...), r.SessionIDs)
		})
	}

	gone := e.get(e.a, "/sessions/"+first)
	assert.Equal(t, http.StatusNotFound, gone.Code)
	_, err := e.store.GetLearnerBySubject(context.Background(), partnerA, "user-2")
	assert.NoError(t, err, "the other learner stays")

	anonymous := e.do(e.request(http.MethodDelete, "/learners/user-2", "", nil))
	assert.Equal(t, http.StatusUnauthorized, anonymous.Code)
}

// TestDeleteLearnerCodes checks that the HTTP receipt and the webhook
// receipt count the same launch codes: those deleted in the transaction
// (none, as the codes are in a MemoryCodes), and that the handler still
// forgets the MemoryCodes codes of the deleted sessions.
func TestDeleteLearnerCodes(t *testing.T) {
	ctx := context.Background()
	codes := &reporting.MemoryCodes{}
	e := newEnv(t, func(c *reporting.Config) { codes.Now, c.Codes = c.Now, codes })
	e.service.Events = reporting.WebhookEncoder{}
	rec := e.launchJSON(e.mint(e.a, "user-codes", caseChest))
	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	code := codeOf(t, decode[reporting.LaunchResponse](t, rec).LaunchURL)

	del := e.deleteLearner(e.a, "user-codes")
	require.Equal(t, http.StatusOK, del.Code, del.Body.String())
	got := decode[reporting.DeletionReceipt](t, del)

	list, err := e.store.ClaimDeliveries(ctx, session.ClaimQuery{Owner: "t",
		Partners: []string{partnerA}, Now: e.clock.Now(), LeaseUntil: e.clock.Now().Add(time.Minute),
		Limit: 10})
	require.NoError(t, err)
	require.Len(t, list, 1, "the receipt event")
	var event reporting.WebhookEvent
	require.NoError(t, json.Unmarshal(list[0].Event.Payload, &event))
	require.Equal(t, reporting.WebhookLearnerDeleted, event.Type)
	var sent reporting.DeletionReceipt
	require.NoError(t, json.Unmarshal(event.Data, &sent))

	assert.Equal(t, sent.Counts, got.Counts, "the HTTP and webhook receipts agree")
	assert.Zero(t, got.Counts.LaunchCodes, "no code was in the store's transaction")
	_, err = codes.Redeem(ctx, code, e.clock.Now())
	assert.ErrorIs(t, err, reporting.ErrCodeInvalid, "the handler forgot the code")
}

func caseAPoints() map[string]float64 {
	return map[string]float64{"history_taking": 16, "physical_exam": 7,
		"diagnostic_reasoning": 6, "management": 8, "communication": 9}
}

// capture is a slog handler that keeps every record, at debug level, as
// text, and calls onRecord with each message.
type capture struct {
	mu       sync.Mutex
	buf      bytes.Buffer
	text     slog.Handler
	onRecord func(msg string)
}

func newCapture(onRecord func(string)) *capture {
	c := &capture{onRecord: onRecord}
	c.text = slog.NewTextHandler(&lockedWriter{c: c}, &slog.HandlerOptions{Level: slog.LevelDebug})
	return c
}

type lockedWriter struct{ c *capture }

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.c.mu.Lock()
	defer w.c.mu.Unlock()

	return w.c.buf.Write(p)
}

func (c *capture) Enabled(context.Context, slog.Level) bool { return true }

func (c *capture) Handle(ctx context.Context, r slog.Record) error {
	err := c.text.Handle(ctx, r)
	if c.onRecord != nil {
		c.onRecord(r.Message)
	}

	return err
}

func (c *capture) WithAttrs(as []slog.Attr) slog.Handler {
	return &capture{text: c.text.WithAttrs(as), onRecord: c.onRecord}
}

func (c *capture) WithGroup(name string) slog.Handler {
	return &capture{text: c.text.WithGroup(name), onRecord: c.onRecord}
}

func (c *capture) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()

	return c.buf.String()
}

// TestLogsHoldNoPersonalData runs launch, code exchange, a session,
// webhook dispatch (one failed attempt, then a delivery), the deletion and
// the retention loop with every logging component writing to one capture
// at debug level, then looks for every secret and personal value in it.
func TestLogsHoldNoPersonalData(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	logs := newCapture(func(msg string) {
		if msg == "session: purge" {
			cancel()
		}
	})
	logger := slog.New(logs)
	const sub, name = "learner-4412-private", "Dr Ottilie Quarrington"

	e := newEnv(t)
	e.service.Logger = logger
	e.service.LogKey = []byte("host log key")
	e.service.Events = reporting.WebhookEncoder{}
	e.service.Policies = session.StaticPolicies{partnerA: {StoreLearnerNames: true}}

	tok, err := e.a.minter.Mint(ctx, launch.LaunchRequest{Subject: sub, Name: name,
		Role: launch.RoleLearner, CohortID: "cohort-1", CaseID: caseChest})
	require.NoError(t, err)
	rec := e.launchJSON(tok)
	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	res := decode[reporting.LaunchResponse](t, rec)
	code := codeOf(t, res.LaunchURL)
	grant := decode[reporting.ExchangeResponse](t, e.exchange(code))
	l, err := e.store.GetLearnerBySubject(ctx, partnerA, sub)
	require.NoError(t, err)
	require.Equal(t, name, l.Name, "the partner opted in to names")

	_, err = e.service.Start(ctx, partnerA, res.SessionID)
	require.NoError(t, err)
	_, err = e.service.Complete(ctx, partnerA, res.SessionID, session.Completion{})
	require.NoError(t, err)

	secret := "whsec_" + base64.StdEncoding.EncodeToString(randomBytes(t, 32))
	var calls int
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		calls++
		if calls == 1 {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}

		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()

	d, err := webhook.New(webhook.Config{Store: e.store, InsecureAllowHTTP: true,
		Endpoints: webhook.StaticEndpoints{{PartnerID: partnerA, URL: srv.URL,
			Secrets: []string{secret}}},
		Logger: logger, Now: e.clock.Now, BackoffBase: time.Second})
	require.NoError(t, err)
	_, err = d.DeliverDue(ctx)
	require.NoError(t, err)

	del := e.deleteLearner(e.a, sub)
	require.Equal(t, http.StatusOK, del.Code)
	for range 5 {
		e.clock.Advance(time.Minute)
		_, err = d.DeliverDue(ctx)
		require.NoError(t, err)
	}

	e.service.PurgeInterval = time.Hour
	assert.ErrorIs(t, e.service.Run(ctx), context.Canceled)

	out := logs.String()
	require.Contains(t, out, "webhook: attempt failed", "the failed attempt was logged")
	require.Contains(t, out, "session: learner deleted")
	require.Contains(t, out, "session: purge")
	for what, value := range map[string]string{"partner user id": sub, "name": name,
		"launch token": tok, "one-time code": code, "session token": grant.SessionToken,
		"webhook secret": secret, "webhook secret key": strings.TrimPrefix(secret, "whsec_")} {
		assert.NotContains(t, out, value, what)
	}

	assert.NotContains(t, strings.ToLower(out), "ottilie")
}

func randomBytes(t *testing.T, n int) []byte {
	b := make([]byte, n)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return b
}

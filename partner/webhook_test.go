package partner_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/partner"
	"github.com/virtualaipatient/integration/reporting"
	"github.com/virtualaipatient/integration/scoring"
	"github.com/virtualaipatient/integration/session"
)

const (
	hookSecretOld = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw7ZhdnL1qcoM="
	hookSecretNew = "whsec_Y2hhbmdlZC1zZWNyZXQtZm9yLXJvdGF0aW9uLXRlc3Q="
	hookID        = "0c4c4f5e-8a43-4d0e-9a35-2b9d6f1f0a11"
)

var hookNow = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

var hookBody = []byte(`{"id":"` + hookID + `","type":"session.completed",` +
	`"timestamp":"2026-03-02T09:00:00.000Z","revision":3,` +
	`"data":{"schema_version":"1.0","session_id":"s-1","revision":3,"status":"completed"}}`)

func hookSign(t testing.TB, secret string, at time.Time, body []byte) string {
	t.Helper()
	wh, err := standardwebhooks.NewWebhook(secret)
	require.NoError(t, err)
	sig, err := wh.Sign(hookID, at, body)
	require.NoError(t, err)

	return sig
}

func hookHeaders(ts time.Time, sig string) http.Header {
	h := http.Header{}
	h.Set(partner.WebhookIDHeader, hookID)
	h.Set(partner.WebhookTimestampHeader, strconv.FormatInt(ts.Unix(), 10))
	h.Set(partner.WebhookSignatureHeader, sig)

	return h
}

func newHookVerifier(t testing.TB, secrets ...string) *partner.WebhookVerifier {
	t.Helper()
	v, err := partner.NewWebhookVerifier(partner.WebhookConfig{Secrets: secrets,
		Now: func() time.Time { return hookNow }, MaxBodyBytes: 4096})
	require.NoError(t, err)

	return v
}

func TestWebhookVerify(t *testing.T) {
	good := hookSign(t, hookSecretOld, hookNow, hookBody)
	other := hookSign(t, hookSecretNew, hookNow, hookBody)
	changed := bytes.Replace(hookBody, []byte(`"revision":3`), []byte(`"revision":4`), 1)
	tests := []struct {
		name   string
		header func() http.Header
		body   []byte
		want   error
	}{
		{name: "valid", header: func() http.Header { return hookHeaders(hookNow, good) }},
		{name: "second of two signatures accepted",
			header: func() http.Header { return hookHeaders(hookNow, other+" "+good) }},
		{name: "unknown version skipped",
			header: func() http.Header { return hookHeaders(hookNow, "v2,abc "+good) }},
		{name: "within tolerance in the past",
			header: func() http.Header {
				at := hookNow.Add(-299 * time.Second)
				return hookHeaders(at, hookSign(t, hookSecretOld, at, hookBody))
			}},
		{name: "stale", want: partner.ErrWebhookTimestamp,
			header: func() http.Header {
				at := hookNow.Add(-6 * time.Minute)
				return hookHeaders(at, hookSign(t, hookSecretOld, at, hookBody))
			}},
		{name: "future", want: partner.ErrWebhookTimestamp,
			header: func() http.Header {
				at := hookNow.Add(6 * time.Minute)
				return hookHeaders(at, hookSign(t, hookSecretOld, at, hookBody))
			}},
		{name: "changed byte", body: changed, want: partner.ErrWebhookSignature,
			header: func() http.Header { return hookHeaders(hookNow, good) }},
		{name: "wrong secret only", want: partner.ErrWebhookSignature,
			header: func() http.Header { return hookHeaders(hookNow, other) }},
		{name: "timestamp of another attempt", want: partner.ErrWebhookSignature,
			header: func() http.Header { return hookHeaders(hookNow.Add(time.Second), good) }},
		{name: "missing id", want: partner.ErrWebhookHeaders,
			header: func() http.Header {
				h := hookHeaders(hookNow, good)
				h.Del(partner.WebhookIDHeader)
				return h
			}},
		{name: "missing signature", want: partner.ErrWebhookHeaders,
			header: func() http.Header { return hookHeaders(hookNow, "") }},
		{name: "repeated timestamp", want: partner.ErrWebhookHeaders,
			header: func() http.Header {
				h := hookHeaders(hookNow, good)
				h.Add(partner.WebhookTimestampHeader, "1")
				return h
			}},
		{name: "malformed timestamp", want: partner.ErrWebhookHeaders,
			header: func() http.Header {
				h := hookHeaders(hookNow, good)
				h.Set(partner.WebhookTimestampHeader, "-17")
				return h
			}},
		{name: "malformed signature", want: partner.ErrWebhookHeaders,
			header: func() http.Header { return hookHeaders(hookNow, "v1,not*base64") }},
		{name: "signature without version", want: partner.ErrWebhookHeaders,
			header: func() http.Header { return hookHeaders(hookNow, strings.TrimPrefix(good, "v1,")) }},
		{name: "too large", body: bytes.Repeat([]byte("a"), 4097),
			want: partner.ErrWebhookTooLarge, header: func() http.Header { return hookHeaders(hookNow, good) }},
	}
	v := newHookVerifier(t, hookSecretOld)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body := tc.body
			if body == nil {
				body = hookBody
			}

			err := v.Verify(tc.header(), body)
			if tc.want == nil {
				assert.NoError(t, err)
				return
			}

			assert.ErrorIs(t, err, tc.want)
		})
	}
}

func TestWebhookVerifierRotation(t *testing.T) {
	v := newHookVerifier(t, hookSecretNew, hookSecretOld)
	for _, secret := range []string{hookSecretOld, hookSecretNew} {
		h := hookHeaders(hookNow, hookSign(t, secret, hookNow, hookBody))
		assert.NoError(t, v.Verify(h, hookBody))
	}
}

func TestNewWebhookVerifierRefuses(t *testing.T) {
	tests := []struct {
		name string
		cfg  partner.WebhookConfig
	}{
		{name: "no secret"},
		{name: "no prefix", cfg: partner.WebhookConfig{Secrets: []string{hookSecretOld[6:]}}},
		{name: "not base64", cfg: partner.WebhookConfig{Secrets: []string{"whsec_%%%"}}},
		{name: "empty key", cfg: partner.WebhookConfig{Secrets: []string{"whsec_"}}},
		{name: "1-byte key", cfg: partner.WebhookConfig{Secrets: []string{"whsec_QQ=="}}},
		{name: "23-byte key", cfg: partner.WebhookConfig{Secrets: []string{
			"whsec_" + base64.StdEncoding.EncodeToString(make([]byte, 23))}}},
		{name: "short old key in a rotation", cfg: partner.WebhookConfig{Secrets: []string{
			hookSecretNew, "whsec_" + base64.StdEncoding.EncodeToString([]byte("short"))}}},
		{name: "tolerance too wide", cfg: partner.WebhookConfig{Secrets: []string{hookSecretOld},
			Tolerance: time.Hour}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := partner.NewWebhookVerifier(tc.cfg)
			assert.ErrorIs(t, err, partner.ErrConfig)
		})
	}
}

func TestNewWebhookVerifierSecretLength(t *testing.T) {
	tests := []struct {
		name  string
		bytes int
		ok    bool
	}{
		{name: "one below the minimum", bytes: partner.MinWebhookSecretBytes - 1},
		{name: "the minimum", bytes: partner.MinWebhookSecretBytes, ok: true},
		{name: "as VAP issues them", bytes: 32, ok: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			secret := "whsec_" + base64.StdEncoding.EncodeToString(
				bytes.Repeat([]byte{'k'}, tc.bytes))
			_, err := partner.NewWebhookVerifier(partner.WebhookConfig{Secrets: []string{secret}})
			if tc.ok {
				assert.NoError(t, err)
				return
			}

			assert.ErrorIs(t, err, partner.ErrConfig)
		})
	}
}

func TestWebhookHandler(t *testing.T) {
	v := newHookVerifier(t, hookSecretOld)
	good := hookSign(t, hookSecretOld, hookNow, hookBody)
	var got []*partner.WebhookEvent
	fail := false
	h := v.Handler(func(_ context.Context, e *partner.WebhookEvent) error {
		got = append(got, e)
		if fail {
			return errors.New("gradebook down")
		}

		return nil
	})
	tests := []struct {
		name   string
		method string
		body   []byte
		sig    string
		fail   bool
		want   int
		calls  int
	}{
		{name: "accepted", body: hookBody, sig: good, want: http.StatusNoContent, calls: 1},
		{name: "handler failure asks for a retry", body: hookBody, sig: good, fail: true,
			want: http.StatusInternalServerError, calls: 2},
		{name: "bad signature", body: hookBody, sig: "v1," + strings.Repeat("A", 43) + "=",
			want: http.StatusUnauthorized, calls: 2},
		{name: "get", method: http.MethodGet, body: hookBody, sig: good,
			want: http.StatusMethodNotAllowed, calls: 2},
		{name: "too large", body: bytes.Repeat([]byte("a"), 5000), sig: good,
			want: http.StatusRequestEntityTooLarge, calls: 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			method := tc.method
			if method == "" {
				method = http.MethodPost
			}

			req := httptest.NewRequest(method, "/hooks/vap", bytes.NewReader(tc.body))
			req.Header = hookHeaders(hookNow, tc.sig)
			rec := httptest.NewRecorder()
			fail = tc.fail
			h.ServeHTTP(rec, req)
			assert.Equal(t, tc.want, rec.Code)
			assert.Len(t, got, tc.calls)
		})
	}

	require.NotEmpty(t, got)
	assert.Equal(t, hookID, got[0].ID)
	assert.Equal(t, reporting.WebhookSessionCompleted, got[0].Type)
	assert.Equal(t, int64(3), got[0].Revision)
	require.NotNil(t, got[0].Summary)
	assert.Equal(t, "s-1", got[0].Summary.SessionID)
	assert.Equal(t, hookNow, got[0].Timestamp)
}

func TestDecodeWebhookRefusesOtherID(t *testing.T) {
	_, err := partner.DecodeWebhook("another-id", hookBody)
	assert.ErrorIs(t, err, partner.ErrWebhookPayload)
	_, err = partner.DecodeWebhook(hookID, []byte(`{"id":`))
	assert.ErrorIs(t, err, partner.ErrWebhookPayload)
}

func BenchmarkWebhookVerify(b *testing.B) {
	v := newHookVerifier(b, hookSecretNew, hookSecretOld)
	h := hookHeaders(hookNow, hookSign(b, hookSecretOld, hookNow, hookBody))
	b.ReportAllocs()
	for b.Loop() {
		if err := v.Verify(h, hookBody); err != nil {
			b.Fatal(err)
		}
	}
}

func TestDecodeWebhookRefusesThinSummary(t *testing.T) {
	ctx := context.Background()
	at := hookNow
	sess := &session.Session{ID: "s-1", PartnerID: "acme-cme", Status: session.StatusCompleted,
		Mode: scoring.ModeAssessment, GradingStatus: session.GradingNotReady, CreatedAt: at,
		Revision: 3}
	content := session.EventContent{Session: sess, Event: session.OutboxEvent{ID: hookID,
		Type: session.EventTypeSessionCompleted, PartnerID: "acme-cme", SessionID: "s-1",
		Revision: 3, OccurredAt: at}}
	thin, err := session.ThinEventEncoder{}.EncodeEvent(ctx, nil, content)
	require.NoError(t, err)
	full, err := reporting.WebhookEncoder{}.EncodeEvent(ctx, nil, content)
	require.NoError(t, err)

	deletion := session.EventContent{Deletion: &session.DeletionReceipt{ID: "d-1",
		PartnerID: "acme-cme", PartnerUserID: "u-1", SessionIDs: []string{"s-1"},
		DeletedAt: at}, Event: session.OutboxEvent{ID: hookID,
		Type: session.EventTypeLearnerDeleted, PartnerID: "acme-cme", OccurredAt: at}}
	thinDeletion, err := session.ThinEventEncoder{}.EncodeEvent(ctx, nil, deletion)
	require.NoError(t, err)

	tests := []struct {
		name string
		body []byte
		want error
	}{
		{name: "full summary", body: full},
		{name: "thin session event", body: thin, want: partner.ErrWebhookNoSummary},
		{name: "summary without session id", want: partner.ErrWebhookNoSummary,
			body: []byte(`{"id":"` + hookID + `","type":"session.started","revision":2,` +
				`"data":{"schema_version":"1.0"}}`)},
		{name: "summary of the wrong shape", want: partner.ErrWebhookPayload,
			body: []byte(`{"id":"` + hookID + `","type":"session.started","revision":2,` +
				`"data":[1,2]}`)},
		// A thin deletion still names the learner and the sessions to
		// delete: it is passed on (without deleted_at).
		{name: "thin deletion", body: thinDeletion},
		{name: "deletion with an empty receipt", want: partner.ErrWebhookPayload,
			body: []byte(`{"id":"` + hookID + `","type":"learner.deleted","revision":0,` +
				`"data":{}}`)},
		{name: "deletion with a null receipt", want: partner.ErrWebhookPayload,
			body: []byte(`{"id":"` + hookID + `","type":"learner.deleted","revision":0,` +
				`"data":null}`)},
		{name: "deletion naming no learner", want: partner.ErrWebhookPayload,
			body: []byte(`{"id":"` + hookID + `","type":"learner.deleted","revision":0,` +
				`"data":{"deletion_id":"d-1","partner_id":"acme-cme","session_ids":[]}}`)},
		{name: "summary of an unknown major schema", want: partner.ErrWebhookPayload,
			body: []byte(`{"id":"` + hookID + `","type":"session.started","revision":2,` +
				`"data":{"schema_version":"9.9","session_id":"s-1","revision":2}}`)},
		{name: "summary of a newer minor schema",
			body: []byte(`{"id":"` + hookID + `","type":"session.started","revision":2,` +
				`"data":{"schema_version":"1.7","session_id":"s-1","revision":2}}`)},
		{name: "envelope revision not the summary's", want: partner.ErrWebhookPayload,
			body: []byte(`{"id":"` + hookID + `","type":"session.started","revision":5,` +
				`"data":{"schema_version":"1.0","session_id":"s-1","revision":2}}`)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, err := partner.DecodeWebhook(hookID, tc.body)
			if tc.want == nil {
				require.NoError(t, err)
				assert.Equal(t, hookID, e.ID)
				return
			}

			assert.Nil(t, e)
			assert.ErrorIs(t, err, tc.want)
			assert.ErrorIs(t, err, partner.ErrWebhookPayload)
		})
	}

	e, err := partner.DecodeWebhook(hookID, full)
	require.NoError(t, err)
	assert.Equal(t, reporting.SummarySchemaVersion, e.Summary.SchemaVersion)
	assert.Equal(t, "s-1", e.Summary.SessionID)

	// The handler refuses the thin body with 400 and a reason for VAP.
	v := newHookVerifier(t, hookSecretOld)
	called := false
	h := v.Handler(func(context.Context, *partner.WebhookEvent) error { called = true; return nil })
	req := httptest.NewRequest(http.MethodPost, "/hooks/vap", bytes.NewReader(thin))
	req.Header = hookHeaders(hookNow, hookSign(t, hookSecretOld, hookNow, thin))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	assert.Equal(t, http.StatusBadRequest, rec.Code)
	assert.Contains(t, rec.Body.String(), "reporting.WebhookEncoder")
	assert.False(t, called)
}

package partner

import (
	"context"
	"crypto/hmac"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/virtualaipatient/integration/reporting"
)

// Defaults of the [WebhookConfig] fields.
const (
	// DefaultWebhookTolerance is how far a delivery's timestamp may be
	// from now, in either direction.
	DefaultWebhookTolerance = 5 * time.Minute
	// DefaultWebhookMaxBody caps the body of a delivery.
	DefaultWebhookMaxBody = 1 << 20
	// MinWebhookSecretBytes is the shortest decoded key a webhook secret
	// may have: the bound VAP's webhook dispatcher (package
	// reporting/webhook) enforces on the secrets it signs with, so a
	// shorter one cannot be a secret VAP issued.
	MinWebhookSecretBytes = 24
)

// WebhookConfig configures a [WebhookVerifier]. Secrets is required.
type WebhookConfig struct {
	// Secrets are the endpoint's secrets as VAP issued them ("whsec_" and
	// the base64 of a key of at least MinWebhookSecretBytes). A delivery
	// is accepted when any of its signatures matches any secret, so
	// during a rotation list the new and the old one.
	Secrets []string
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// Tolerance defaults to DefaultWebhookTolerance; it may not exceed it.
	Tolerance time.Duration
	// MaxBodyBytes defaults to DefaultWebhookMaxBody.
	MaxBodyBytes int64
}

// WebhookVerifier checks VAP's webhook deliveries, signed as the Standard
// Webhooks specification says: an HMAC-SHA256, with the endpoint's secret,
// of the webhook-id, the webhook-timestamp and the exact body bytes. It is
// safe for concurrent use.
type WebhookVerifier struct {
	keys      []*standardwebhooks.Webhook
	now       func() time.Time
	tolerance time.Duration
	maxBody   int64
}

// WebhookEvent is a verified delivery, decoded. Consumers drop an ID they
// have already processed and, per session, a Revision below the highest
// they hold: deliveries are at least once and a replayed event may arrive
// after later ones.
type WebhookEvent struct {
	// ID is the event id (the webhook-id header).
	ID string
	// Type is one of the reporting.Webhook... constants; unknown types are
	// passed on with neither Summary nor Deletion.
	Type string
	// Timestamp is when the change happened.
	Timestamp time.Time
	// Revision is the session's revision; 0 for learner.deleted.
	Revision int64
	// Summary is the session summary as of the change, for session
	// events. It is always a full summary: a body without one is refused
	// with ErrWebhookNoSummary.
	Summary *reporting.SessionSummary
	// Deletion is the receipt of a learner.deleted event.
	Deletion *reporting.DeletionReceipt
}

// NewWebhookVerifier checks cfg and returns the verifier. It returns
// ErrConfig when there is no secret, a secret is not "whsec_" and base64
// or its key is shorter than MinWebhookSecretBytes, or a value is out of
// range.
func NewWebhookVerifier(cfg WebhookConfig) (*WebhookVerifier, error) {
	if len(cfg.Secrets) == 0 {
		return nil, configError("webhook: no secret")
	}

	v := &WebhookVerifier{now: cfg.Now, tolerance: cfg.Tolerance, maxBody: cfg.MaxBodyBytes}
	for i, s := range cfg.Secrets {
		key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(s, "whsec_"))
		if !strings.HasPrefix(s, "whsec_") || err != nil {
			return nil, configError("webhook: secret %d is not whsec_ and base64", i)
		}

		if len(key) < MinWebhookSecretBytes {
			return nil, configError("webhook: secret %d is shorter than %d bytes",
				i, MinWebhookSecretBytes)
		}

		wh, err := standardwebhooks.NewWebhookRaw(key)
		if err != nil {
			return nil, configError("webhook: secret %d: %v", i, err)
		}

		v.keys = append(v.keys, wh)
	}

	return v, v.defaults()
}

func (v *WebhookVerifier) defaults() error {
	if v.tolerance < 0 || v.tolerance > DefaultWebhookTolerance || v.maxBody < 0 {
		return configError("webhook: tolerance or body cap out of range")
	}

	if v.now == nil {
		v.now = time.Now
	}

	if v.tolerance == 0 {
		v.tolerance = DefaultWebhookTolerance
	}

	if v.maxBody == 0 {
		v.maxBody = DefaultWebhookMaxBody
	}

	return nil
}

// Verify checks one delivery: its headers, its timestamp against the
// tolerance and its signatures against the secrets, comparing in constant
// time. body must be the exact bytes received. It returns nil or an error
// matching one of the ErrWebhook... sentinels.
func (v *WebhookVerifier) Verify(h http.Header, body []byte) error {
	if int64(len(body)) > v.maxBody {
		return ErrWebhookTooLarge
	}

	hd, err := parseWebhookHeaders(h)
	if err != nil {
		return err
	}

	// Refuse stale and future timestamps first: a replayed capture fails
	// here whatever its signature.
	at := time.Unix(hd.timestamp, 0)
	now := v.now()
	if now.Sub(at) > v.tolerance || at.Sub(now) > v.tolerance {
		return ErrWebhookTimestamp
	}

	// Accept when any signature matches any secret, comparing every
	// candidate in constant time.
	matched := false
	for _, k := range v.keys {
		want, err := k.Sign(hd.id, at, body)
		if err != nil {
			return ErrWebhookSignature
		}

		for _, sig := range hd.signatures {
			got := "v1," + base64.StdEncoding.EncodeToString(sig)
			matched = hmac.Equal([]byte(got), []byte(want)) || matched
		}
	}

	if !matched {
		return ErrWebhookSignature
	}

	return nil
}

// DecodeWebhook decodes a verified body. id is the webhook-id header,
// which must equal the event's id. Call it only after Verify.
//
// It returns ErrWebhookPayload when the body is not an event of that id,
// and ErrWebhookNoSummary when a session event carries less than the full
// session summary (no schema_version or session_id): the thin body a VAP
// host writes with session.ThinEventEncoder instead of
// reporting.WebhookEncoder. Such an event is refused rather than passed
// on with a summary whose score and outcome are missing, which would read
// as "not graded".
func DecodeWebhook(id string, body []byte) (*WebhookEvent, error) {
	var wire reporting.WebhookEvent
	if err := json.Unmarshal(body, &wire); err != nil || wire.ID != id {
		return nil, ErrWebhookPayload
	}

	e := &WebhookEvent{ID: wire.ID, Type: wire.Type, Revision: wire.Revision}
	if wire.Timestamp != nil {
		e.Timestamp = wire.Timestamp.Time
	}

	var err error
	switch {
	case wire.Type == reporting.WebhookLearnerDeleted:
		e.Deletion, err = decodeDeletion(wire.Data)
	case strings.HasPrefix(wire.Type, "session."):
		e.Summary, err = decodeSummary(wire.Data)
		if err == nil && e.Summary.Revision != e.Revision {
			err = fmt.Errorf("%w: the envelope's revision is not the summary's", ErrWebhookPayload)
		}
	}

	if err != nil {
		return nil, err
	}

	return e, nil
}

// decodeDeletion decodes the receipt of a learner.deleted event, which
// must name the deletion and the learner: a receipt without them cannot
// be acted on.
func decodeDeletion(data json.RawMessage) (*reporting.DeletionReceipt, error) {
	var r reporting.DeletionReceipt
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, ErrWebhookPayload
	}

	if r.DeletionID == "" || r.PartnerUserID == "" {
		return nil, fmt.Errorf("%w: the receipt names no deletion or learner", ErrWebhookPayload)
	}

	return &r, nil
}

// decodeSummary decodes the data of a session event, which must be a full
// session summary of a schema this package reads (major version 1).
func decodeSummary(data json.RawMessage) (*reporting.SessionSummary, error) {
	var s reporting.SessionSummary
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, ErrWebhookPayload
	}

	if s.SchemaVersion == "" || s.SessionID == "" {
		return nil, ErrWebhookNoSummary
	}

	major, _, _ := strings.Cut(s.SchemaVersion, ".")
	if wantMajor, _, _ := strings.Cut(reporting.SummarySchemaVersion, "."); major != wantMajor {
		return nil, fmt.Errorf("%w: summary schema %q is not %s.x; update the SDK",
			ErrWebhookPayload, s.SchemaVersion, wantMajor)
	}

	return &s, nil
}

// WebhookFunc handles a verified event. A nil error acknowledges it (VAP
// gets 204); an error makes VAP retry the delivery later (500).
type WebhookFunc func(ctx context.Context, e *WebhookEvent) error

// Handler returns the endpoint: it accepts POST only, reads at most
// MaxBodyBytes, verifies the delivery, decodes it and calls fn. Refusals
// are answered with the status documented on each sentinel and a plain
// text reason; fn is never called for a refused delivery.
func (v *WebhookVerifier) Handler(fn WebhookFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}

		e, err := v.read(r)
		if err != nil {
			http.Error(w, err.Error(), webhookStatus(err))
			return
		}

		if err := fn(r.Context(), e); err != nil {
			http.Error(w, "partner: webhook: not processed", http.StatusInternalServerError)
			return
		}

		w.WriteHeader(http.StatusNoContent)
	})
}

// read reads, verifies and decodes the delivery of r.
func (v *WebhookVerifier) read(r *http.Request) (*WebhookEvent, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, v.maxBody+1))
	if err != nil {
		return nil, ErrWebhookPayload
	}

	if err := v.Verify(r.Header, body); err != nil {
		return nil, err
	}

	return DecodeWebhook(r.Header.Get(WebhookIDHeader), body)
}

func webhookStatus(err error) int {
	switch {
	case errors.Is(err, ErrWebhookTooLarge):
		return http.StatusRequestEntityTooLarge
	case errors.Is(err, ErrWebhookTimestamp), errors.Is(err, ErrWebhookSignature):
		return http.StatusUnauthorized
	}

	return http.StatusBadRequest
}

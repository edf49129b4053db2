package partner

import (
	"errors"
	"fmt"
)

// Webhook verification errors, returned by [WebhookVerifier.Verify] and
// answered by [WebhookVerifier.Handler] with the status in parentheses.
// They never quote a header, a secret or the body.
var (
	// ErrWebhookHeaders is returned when the webhook-id, webhook-timestamp
	// or webhook-signature header is missing, repeated or malformed, or
	// carries no v1 signature (400).
	ErrWebhookHeaders = errors.New("partner: webhook: missing or malformed headers")
	// ErrWebhookTimestamp is returned when webhook-timestamp is further
	// than the tolerance from now, in the past or the future (401).
	ErrWebhookTimestamp = errors.New("partner: webhook: timestamp outside tolerance")
	// ErrWebhookSignature is returned when no signature matches any
	// secret: a changed byte, a wrong secret or a forged request (401).
	ErrWebhookSignature = errors.New("partner: webhook: no matching signature")
	// ErrWebhookTooLarge is returned when the body exceeds MaxBodyBytes
	// (413).
	ErrWebhookTooLarge = errors.New("partner: webhook: body too large")
	// ErrWebhookPayload is returned when a verified body is not a webhook
	// event or its id differs from webhook-id (400).
	ErrWebhookPayload = errors.New("partner: webhook: malformed event")
	// ErrWebhookNoSummary is returned when a session event's data is not
	// a full session summary: it lacks schema_version or session_id, as
	// the "thin" body of session.ThinEventEncoder does (400). The VAP
	// host must encode its events with reporting.WebhookEncoder, which
	// reporting.New sets by default. It matches ErrWebhookPayload too.
	ErrWebhookNoSummary = fmt.Errorf("%w: session event without a full summary "+
		"(the vap host must encode events with reporting.WebhookEncoder)", ErrWebhookPayload)
)

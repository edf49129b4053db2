package partner

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// Standard Webhooks header names, as VAP sends them.
const (
	// WebhookIDHeader carries the event id, stable across attempts.
	WebhookIDHeader = "webhook-id"
	// WebhookTimestampHeader carries the attempt's time in Unix seconds.
	WebhookTimestampHeader = "webhook-timestamp"
	// WebhookSignatureHeader carries space-separated "v1,<base64>"
	// signatures, one per secret VAP signs with.
	WebhookSignatureHeader = "webhook-signature"
)

// Limits on the headers, well above what VAP sends.
const (
	maxIDLen        = 256
	maxSignatureLen = 4096
	maxSignatures   = 16
	signatureSize   = 32 // HMAC-SHA256
)

// webhookHeaders are the parsed signature headers of a delivery.
type webhookHeaders struct {
	id         string
	timestamp  int64
	signatures [][]byte
}

// parseWebhookHeaders reads and checks the three headers. Signatures of
// versions other than v1 are skipped, as the specification allows; at
// least one v1 signature of the HMAC-SHA256 size is required.
func parseWebhookHeaders(h http.Header) (webhookHeaders, error) {
	var out webhookHeaders
	id, err := single(h, WebhookIDHeader)
	if err != nil {
		return out, err
	}

	if len(id) > maxIDLen || !printable(id) {
		return out, fmt.Errorf("%w: bad id", ErrWebhookHeaders)
	}

	ts, err := single(h, WebhookTimestampHeader)
	if err != nil {
		return out, err
	}

	out.id = id
	if out.timestamp, err = parseUnix(ts); err != nil {
		return out, err
	}

	sig, err := single(h, WebhookSignatureHeader)
	if err != nil {
		return out, err
	}

	out.signatures, err = parseSignatures(sig)
	return out, err
}

// single returns the one value of a header, refusing a missing, empty or
// repeated one.
func single(h http.Header, name string) (string, error) {
	values := h.Values(name)
	if len(values) != 1 || values[0] == "" {
		return "", fmt.Errorf("%w: %s", ErrWebhookHeaders, name)
	}

	return values[0], nil
}

func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return false
		}
	}

	return true
}

// parseUnix reads decimal Unix seconds: digits only, no sign.
func parseUnix(s string) (int64, error) {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, fmt.Errorf("%w: bad timestamp", ErrWebhookHeaders)
		}
	}

	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: bad timestamp", ErrWebhookHeaders)
	}

	return n, nil
}

func parseSignatures(header string) ([][]byte, error) {
	if len(header) > maxSignatureLen {
		return nil, fmt.Errorf("%w: signature header too long", ErrWebhookHeaders)
	}

	var sigs [][]byte
	for _, entry := range strings.Fields(header) {
		version, value, ok := strings.Cut(entry, ",")
		if !ok {
			return nil, fmt.Errorf("%w: bad signature entry", ErrWebhookHeaders)
		}

		if version != "v1" {
			continue
		}

		raw, err := base64.StdEncoding.Strict().DecodeString(value)
		if err != nil || len(raw) != signatureSize {
			return nil, fmt.Errorf("%w: bad v1 signature", ErrWebhookHeaders)
		}

		if len(sigs) == maxSignatures {
			return nil, fmt.Errorf("%w: too many signatures", ErrWebhookHeaders)
		}

		sigs = append(sigs, raw)
	}

	if len(sigs) == 0 {
		return nil, fmt.Errorf("%w: no v1 signature", ErrWebhookHeaders)
	}

	return sigs, nil
}

package partner

import (
	"errors"
	"net/http"
	"testing"
)

// FuzzParseWebhookHeaders feeds arbitrary header values to the parser: it
// must never panic, fail only with ErrWebhookHeaders and, on success,
// return an id and only 32-byte signatures.
func FuzzParseWebhookHeaders(f *testing.F) {
	f.Add("msg_1", "1772442000", "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=")
	f.Add("msg_1", "1772442000", "v2,abc v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=")
	f.Add("", "-1", "v1,")
	f.Add("id with space", "99999999999999999999", "v1,=== ,,,")
	f.Fuzz(func(t *testing.T, id, ts, sig string) {
		h := http.Header{}
		h.Set(WebhookIDHeader, id)
		h.Set(WebhookTimestampHeader, ts)
		h.Set(WebhookSignatureHeader, sig)
		got, err := parseWebhookHeaders(h)
		if err != nil {
			if !errors.Is(err, ErrWebhookHeaders) {
				t.Fatalf("unexpected error kind: %v", err)
			}

			return
		}

		if got.id == "" || len(got.signatures) == 0 || got.timestamp < 0 {
			t.Fatalf("accepted incomplete headers: %+v", got)
		}

		for _, s := range got.signatures {
			if len(s) != signatureSize {
				t.Fatalf("signature of %d bytes", len(s))
			}
		}
	})
}

package webhook

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

// SecretPrefix starts every webhook secret: "whsec_" then the key in
// standard base64, as the Standard Webhooks specification says.
const SecretPrefix = "whsec_"

// Endpoint is where a partner receives webhooks.
type Endpoint struct {
	// PartnerID is the partner whose events go here.
	PartnerID string
	// URL is the absolute https URL events are posted to. Plain http is
	// accepted on a loopback host (localhost, 127.0.0.1, ::1), and
	// elsewhere only with Config.InsecureAllowHTTP.
	URL string
	// Secrets sign every attempt, the newest first; each is "whsec_" and a
	// base64 key of 24 to 64 bytes. To rotate, put the new secret first
	// and keep the old one until the partner verifies with the new one:
	// meanwhile every attempt carries both signatures.
	Secrets []string
}

// EndpointSource gives the partners' endpoints. The dispatcher asks for
// them on every pass, so changes (a rotation) apply without a restart.
type EndpointSource interface {
	// Endpoints returns the endpoints, at most one per partner.
	Endpoints(ctx context.Context) ([]Endpoint, error)
}

// StaticEndpoints is an [EndpointSource] from a fixed list.
type StaticEndpoints []Endpoint

// Endpoints returns a copy of the list.
func (s StaticEndpoints) Endpoints(context.Context) ([]Endpoint, error) {
	return slices.Clone(s), nil
}

// NewSecret returns a new random secret: "whsec_" and 32 random bytes in
// base64.
func NewSecret() (string, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return "", fmt.Errorf("webhook: new secret: %w", err)
	}

	return SecretPrefix + base64.StdEncoding.EncodeToString(key), nil
}

// target is a checked endpoint, ready to sign.
type target struct {
	partnerID string
	url       string
	keys      []*standardwebhooks.Webhook
}

// checkEndpoint validates e and decodes its secrets. Errors never quote a
// secret.
func checkEndpoint(e Endpoint, insecureHTTP bool) (*target, error) {
	if e.PartnerID == "" {
		return nil, fmt.Errorf("%w: no partner", ErrEndpoint)
	}

	u, err := url.Parse(e.URL)
	plain := err == nil && u.Scheme == "http" && (insecureHTTP || loopbackHost(u.Hostname()))
	secure := err == nil && (u.Scheme == "https" || plain)
	if !secure || u.Host == "" {
		return nil, fmt.Errorf("%w: url must be absolute https "+
			"(http only on a loopback host or with InsecureAllowHTTP)", ErrEndpoint)
	}

	if len(e.Secrets) == 0 {
		return nil, fmt.Errorf("%w: no secret", ErrEndpoint)
	}

	t := &target{partnerID: e.PartnerID, url: e.URL}
	for i, s := range e.Secrets {
		key, err := decodeSecret(s)
		if err != nil {
			return nil, fmt.Errorf("%w: secret %d: %w", ErrEndpoint, i, err)
		}

		wh, err := standardwebhooks.NewWebhookRaw(key)
		if err != nil {
			return nil, fmt.Errorf("%w: secret %d: %w", ErrEndpoint, i, err)
		}

		t.keys = append(t.keys, wh)
	}

	return t, nil
}

// loopbackHost reports whether host is localhost or a loopback address,
// where plain http never leaves the machine.
func loopbackHost(host string) bool {
	ip := net.ParseIP(host)

	return host == "localhost" || (ip != nil && ip.IsLoopback())
}

func decodeSecret(s string) ([]byte, error) {
	raw, ok := strings.CutPrefix(s, SecretPrefix)
	if !ok {
		return nil, fmt.Errorf("missing %q prefix", SecretPrefix)
	}

	key, err := base64.StdEncoding.DecodeString(raw)
	if err != nil || len(key) < 24 || len(key) > 64 {
		return nil, fmt.Errorf("not base64 of 24 to 64 bytes")
	}

	return key, nil
}

// sign returns the webhook-signature header of one attempt: a "v1,"
// signature per secret, separated by spaces, the newest secret first.
func (t *target) sign(id string, at time.Time, body []byte) (string, error) {
	sigs := make([]string, 0, len(t.keys))
	for _, k := range t.keys {
		sig, err := k.Sign(id, at, body)
		if err != nil {
			return "", fmt.Errorf("webhook: sign: %w", err)
		}

		sigs = append(sigs, sig)
	}

	return strings.Join(sigs, " "), nil
}

package oidc

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
	"golang.org/x/time/rate"
)

// maxDiscoveryBytes caps the discovery document.
const maxDiscoveryBytes = 1 << 20

// provider is a partner's discovered provider.
type provider struct {
	oauth    oauth2.Config
	verifier *gooidc.IDTokenVerifier
	tokenURL string
}

// partner is a configured partner and its provider, discovered on first
// use. A failed discovery is retried on the next sign-in.
type partner struct {
	cfg Config
	// starts limits how fast the partner's sign-ins start.
	starts *rate.Limiter

	mu   sync.Mutex
	prov *provider
}

// provider returns the partner's provider, discovering it when needed.
func (p *partner) provider(ctx context.Context, h *Handler) (*provider, error) {
	p.mu.Lock()
	defer p.mu.Unlock()

	if p.prov != nil {
		return p.prov, nil
	}

	pc, err := discover(ctx, h.client, p.cfg.Issuer)
	if err != nil {
		return nil, err
	}

	// go-oidc takes its HTTP client from the context; this one carries
	// only the client, for the key set's later fetches.
	keyCtx := gooidc.ClientContext(context.Background(), h.client)
	gp := pc.NewProvider(keyCtx)
	p.prov = &provider{
		oauth: oauth2.Config{
			ClientID:     p.cfg.ClientID,
			ClientSecret: p.cfg.ClientAuth.Secret,
			Endpoint:     oauth2.Endpoint{AuthURL: pc.AuthURL, TokenURL: pc.TokenURL},
			RedirectURL:  h.callback.String(),
			Scopes:       p.cfg.Scopes,
		},
		verifier: gp.VerifierContext(keyCtx, &gooidc.Config{
			ClientID:             p.cfg.ClientID,
			SupportedSigningAlgs: p.cfg.Algorithms,
			Now:                  h.now,
		}),
		tokenURL: pc.TokenURL,
	}
	p.prov.oauth.Endpoint.AuthStyle = oauth2.AuthStyleInHeader
	if p.cfg.ClientAuth.SecretInBody || p.cfg.ClientAuth.Key != nil {
		p.prov.oauth.Endpoint.AuthStyle = oauth2.AuthStyleInParams
	}

	return p.prov, nil
}

// discover fetches the issuer's discovery document and checks that it
// names the issuer exactly.
func discover(ctx context.Context, client *http.Client,
	issuer string) (*gooidc.ProviderConfig, error) {
	u := strings.TrimSuffix(issuer, "/") + "/.well-known/openid-configuration"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, errorf(ErrProviderUnavailable, "discovery request: %w", err)
	}

	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, errorf(ErrProviderUnavailable, "discovery: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()

	if resp.StatusCode != http.StatusOK {
		return nil, errorf(ErrProviderUnavailable, "discovery: status %d", resp.StatusCode)
	}

	var pc gooidc.ProviderConfig
	body := io.LimitReader(resp.Body, maxDiscoveryBytes)
	if err := json.NewDecoder(body).Decode(&pc); err != nil {
		return nil, errorf(ErrProviderUnavailable, "discovery document: %w", err)
	}

	if pc.IssuerURL != issuer {
		return nil, errorf(ErrIssuerMismatch, "discovery document names another issuer")
	}

	if pc.AuthURL == "" || pc.TokenURL == "" || pc.JWKSURL == "" {
		return nil, errorf(ErrProviderUnavailable,
			"discovery document lacks an authorization, token or jwks endpoint")
	}

	return &pc, nil
}

// exchangeError classifies a failed code exchange.
func exchangeError(err error) error {
	if re, ok := err.(*oauth2.RetrieveError); ok {
		e := &ExchangeError{ErrorCode: re.ErrorCode}
		if re.Response != nil {
			e.StatusCode = re.Response.StatusCode
		}

		return e
	}

	return fmt.Errorf("%w: %w", ErrTokenExchange, err)
}

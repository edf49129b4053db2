package partner

import (
	"context"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

// DefaultEarlyRenewal is how long before its expiry a cached API
// credential is replaced by a new one.
const DefaultEarlyRenewal = 30 * time.Second

// credentialSource mints API credentials and reuses each until shortly
// before it expires. It plays the part of oauth2.ReuseTokenSourceWithExpiry
// but reads the ring's clock, so that expiry agrees with the clock that
// stamped the credential.
type credentialSource struct {
	ring     *Ring
	audience string
	early    time.Duration

	mu     sync.Mutex
	cached *oauth2.Token
}

// Token returns the cached credential while it is fresh, else mints a new
// one. oauth2.TokenSource has no context, so signing runs without one.
func (s *credentialSource) Token() (*oauth2.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()

	now := s.ring.cfg.Now()
	if s.cached != nil && now.Before(s.cached.Expiry.Add(-s.early)) {
		return copyToken(s.cached), nil
	}

	token, expiry, err := s.ring.MintAPICredential(context.Background(), s.audience)
	if err != nil {
		return nil, err
	}

	s.cached = &oauth2.Token{AccessToken: token, TokenType: "Bearer", Expiry: expiry}

	return copyToken(s.cached), nil
}

func copyToken(t *oauth2.Token) *oauth2.Token {
	c := *t

	return &c
}

// NewTokenSource returns an oauth2.TokenSource of API credentials for VAP's
// reporting API, signed by ring with the given audience (the API audience
// VAP gave the partner). A credential is reused until DefaultEarlyRenewal
// before it expires by the ring's clock (half its lifetime if that is
// shorter); then a new one is signed with the key current at that time.
// It is safe for concurrent use.
func NewTokenSource(ring *Ring, audience string) (oauth2.TokenSource, error) {
	if ring == nil || audience == "" {
		return nil, configError("token source needs a ring and an audience")
	}

	early := min(DefaultEarlyRenewal, ring.cfg.APICredentialTTL/2)

	return &credentialSource{ring: ring, audience: audience, early: early}, nil
}

package launch

import (
	"context"
	"crypto"
	"io"
	"time"
)

// Session token lifetimes.
const (
	// DefaultSessionTTL is the default lifetime of a session token.
	DefaultSessionTTL = 15 * time.Minute
	// MaxSessionTTL is the longest lifetime of a session token.
	MaxSessionTTL = time.Hour
)

// SessionTokenConfig configures SessionTokens.
type SessionTokenConfig struct {
	// Issuer is the "iss" of session tokens, VAP's own (required).
	Issuer string
	// Audience is the "aud" of session tokens. Default: Issuer.
	Audience string
	// Algorithm is the signing algorithm. Default ES256; HS256 only when
	// named here.
	Algorithm string
	// Signer is VAP's signing key for ES256, EdDSA, RS256 and PS256.
	Signer crypto.Signer
	// Secret is the HMAC secret for HS256 (at least 32 bytes).
	Secret []byte
	// KeyID is the "kid" of the current key.
	KeyID string
	// PreviousKeys are still accepted during a key rotation; each needs a
	// KeyID.
	PreviousKeys []PublicKey
	// TTL is the token lifetime. Default DefaultSessionTTL; at least one
	// second, at most MaxSessionTTL. As for MinterConfig.TTL, exp is the
	// truncated iat plus TTL, truncated: a fractional TTL is rounded down.
	TTL time.Duration
	// Leeway is the clock leeway. Default DefaultLeeway; at most MaxLeeway.
	Leeway time.Duration
	// Now is the clock. Default time.Now.
	Now func() time.Time
	// Rand is the randomness source. Default crypto/rand.
	Rand io.Reader
}

// SessionToken is a verified session token.
type SessionToken struct {
	// SessionID is the session the token is bound to.
	SessionID string
	// PartnerID is the partner that launched the session.
	PartnerID string
	// ExpiresAt is the "exp" claim.
	ExpiresAt time.Time
}

// SessionTokens issues and verifies the bearer tokens VAP gives its learner
// app. They have their own "typ", so neither launch tokens nor API
// credentials are ever accepted in their place. It is safe for concurrent
// use.
type SessionTokens struct {
	signer   *tokenSigner
	verifier *Verifier
	issuer   string
	audience string
	ttl      time.Duration
	now      func() time.Time
}

// NewSessionTokens validates cfg and returns SessionTokens.
func NewSessionTokens(cfg SessionTokenConfig) (*SessionTokens, error) {
	if cfg.Issuer == "" {
		return nil, errorf(ErrConfig, "issuer is required")
	}

	s := &SessionTokens{issuer: cfg.Issuer, audience: cfg.Audience, ttl: cfg.TTL, now: cfg.Now}
	if s.audience == "" {
		s.audience = s.issuer
	}

	if s.now == nil {
		s.now = time.Now
	}

	var err error
	s.signer, err = newTokenSigner(cfg.Algorithm, cfg.Signer, cfg.Secret, cfg.KeyID, cfg.Rand)
	if err != nil {
		return nil, err
	}

	s.verifier, err = s.newVerifier(cfg)
	if err != nil {
		return nil, err
	}

	s.ttl = s.verifier.partners[s.issuer].maxLifetime
	if cfg.TTL != 0 {
		s.ttl = cfg.TTL
	}

	return s, nil
}

// newVerifier builds a one-partner verifier for VAP's own keys.
func (s *SessionTokens) newVerifier(cfg SessionTokenConfig) (*Verifier, error) {
	current := PublicKey{KeyID: cfg.KeyID, Algorithm: s.signer.alg, Key: cfg.Secret}
	if cfg.Signer != nil {
		current.Key = cfg.Signer.Public()
	}

	ttl := cfg.TTL
	if ttl == 0 {
		ttl = DefaultSessionTTL
	}

	if ttl < time.Second || ttl > MaxSessionTTL {
		return nil, errorf(ErrConfig, "session ttl must be between 1s and %v", MaxSessionTTL)
	}

	algs := []string{s.signer.alg}
	for _, k := range cfg.PreviousKeys {
		if k.Algorithm != "" && !containsString(algs, k.Algorithm) {
			algs = append(algs, k.Algorithm)
		}
	}

	e, err := buildEntry(Partner{
		ID: "vap", Issuer: s.issuer, Audience: s.audience, Algorithms: algs,
		Keys:   append([]PublicKey{current}, cfg.PreviousKeys...),
		Leeway: cfg.Leeway,
	})
	if err != nil {
		return nil, errorf(ErrConfig, "session tokens: %w", err)
	}

	e.maxLifetime = ttl
	v := &Verifier{
		partners: map[string]*partnerEntry{s.issuer: e},
		now:      s.now,
		maxBytes: DefaultMaxTokenBytes,
	}

	return v, nil
}

// Issue returns a session token bound to sessionID and partnerID, and its
// expiry time.
func (s *SessionTokens) Issue(sessionID, partnerID string) (string, time.Time, error) {
	if err := requiredText("sid", sessionID); err != nil {
		return "", time.Time{}, err
	}

	if err := requiredText("pid", partnerID); err != nil {
		return "", time.Time{}, err
	}

	iat, exp := tokenTimes(s.now(), s.ttl)
	c := claimSet{
		Issuer:    s.issuer,
		Subject:   sessionID,
		Audience:  audience{one: s.audience},
		IssuedAt:  newNumericDate(iat),
		Expiry:    newNumericDate(exp),
		SessionID: sessionID,
		PartnerID: partnerID,
	}

	tok, err := s.signer.sign(context.Background(), TypeSession, &c)
	if err != nil {
		return "", time.Time{}, err
	}

	return tok, exp, nil
}

// Verify checks a session token: VAP's keys, typ TypeSession, issuer,
// audience, times and lifetime. Session tokens are bearer tokens: they are
// not consumed and stay valid until they expire.
//
// Verify takes no context: its keys are static and held in memory, so it
// does no I/O and never blocks.
func (s *SessionTokens) Verify(token string) (*SessionToken, error) {
	c, _, err := s.verifier.verifyToken(context.Background(), token, TypeSession, launchAudience)
	if err != nil {
		return nil, err
	}

	if err := requiredText("sid", c.SessionID); err != nil {
		return nil, err
	}

	if err := requiredText("pid", c.PartnerID); err != nil {
		return nil, err
	}

	return &SessionToken{SessionID: c.SessionID, PartnerID: c.PartnerID, ExpiresAt: c.Expiry.time()}, nil
}

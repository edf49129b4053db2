package launch

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/asn1"
	"encoding/base64"
	"errors"
	"io"
	"math/big"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/golang-jwt/jwt/v5"
)

// MinterConfig configures a Minter.
type MinterConfig struct {
	// Issuer is the "iss" of every token (required): the exact issuer VAP
	// registered for the partner.
	Issuer string
	// Audience is the "aud" of launch tokens (required).
	Audience string
	// Algorithm is the signing algorithm. Default ES256. HS256 is used only
	// when named here.
	Algorithm string
	// Signer signs tokens for ES256, EdDSA, RS256 and PS256. Any
	// crypto.Signer works, so the key may live in a KMS or HSM.
	Signer crypto.Signer
	// Secret is the shared HMAC secret for HS256 (at least 32 bytes).
	Secret []byte
	// KeyID is the "kid" header; required when the partner has several keys.
	KeyID string
	// TTL is the token lifetime. Default DefaultTTL (60 s); at least one
	// second, at most MaxLifetime (5 minutes). Tokens carry whole seconds:
	// exp is iat (now, truncated to the second) plus TTL, truncated, so a
	// fractional TTL is rounded down and exp - iat never exceeds it.
	TTL time.Duration
	// Now is the clock. Default time.Now.
	Now func() time.Time
	// Rand is the source of token ids and signature randomness. Default
	// crypto/rand.
	Rand io.Reader
}

// Minter signs launch tokens and API credentials for a partner backend. It
// is safe for concurrent use.
type Minter struct {
	issuer   string
	audience string
	ttl      time.Duration
	now      func() time.Time
	signer   *tokenSigner
}

// LaunchRequest describes one launch.
type LaunchRequest struct {
	// Subject is the partner's stable, pseudonymous user id (required): an
	// id as CheckID describes it, never an e-mail address. Mint and the
	// Verifier refuse a subject shaped like one (something@domain.tld)
	// with ErrInvalidClaim (CheckSubject): send the platform's opaque user
	// id instead.
	Subject string
	// Name is the optional display name: no control character and no
	// bidirectional override or isolate (U+202A to U+202E, U+2066 to
	// U+2069).
	Name string
	// Role is the user's role (required).
	Role Role
	// CohortID is the partner's cohort id (required): an id as CheckID
	// describes it, every character printable.
	CohortID string
	// CaseID is the case to open; at most one of CaseID and CaseSetID.
	CaseID string
	// CaseSetID is the case set to open.
	CaseSetID string
}

// NewMinter validates cfg and returns a Minter.
func NewMinter(cfg MinterConfig) (*Minter, error) {
	if cfg.Issuer == "" || cfg.Audience == "" {
		return nil, errorf(ErrConfig, "issuer and audience are required")
	}

	ttl := cfg.TTL
	if ttl == 0 {
		ttl = DefaultTTL
	}

	if ttl < time.Second || ttl > MaxLifetime {
		return nil, errorf(ErrConfig, "ttl must be between 1s and %v", MaxLifetime)
	}

	s, err := newTokenSigner(cfg.Algorithm, cfg.Signer, cfg.Secret, cfg.KeyID, cfg.Rand)
	if err != nil {
		return nil, err
	}

	m := &Minter{issuer: cfg.Issuer, audience: cfg.Audience, ttl: ttl, now: cfg.Now, signer: s}
	if m.now == nil {
		m.now = time.Now
	}

	return m, nil
}

// Mint returns a signed launch token for req. ctx is checked before signing
// (a KMS-backed signer may be slow).
func (m *Minter) Mint(ctx context.Context, req LaunchRequest) (string, error) {
	if err := checkLaunchRequest(req); err != nil {
		return "", err
	}

	c := m.baseClaims(m.audience)
	c.Subject, c.Name, c.Role, c.CohortID = req.Subject, req.Name, req.Role, req.CohortID
	c.CaseID, c.CaseSetID = req.CaseID, req.CaseSetID

	return m.signer.sign(ctx, TypeLaunch, &c)
}

// MintAPICredential returns a signed API credential for VAP's reporting API
// with the given audience (the partner's APIAudience at VAP).
func (m *Minter) MintAPICredential(ctx context.Context, audience string) (string, error) {
	if audience == "" {
		return "", errorf(ErrConfig, "audience is required")
	}

	c := m.baseClaims(audience)
	c.Subject = m.issuer

	return m.signer.sign(ctx, TypeAPICredential, &c)
}

func (m *Minter) baseClaims(aud string) claimSet {
	iat, exp := tokenTimes(m.now(), m.ttl)

	return claimSet{
		Issuer:   m.issuer,
		Audience: audience{one: aud},
		IssuedAt: newNumericDate(iat),
		Expiry:   newNumericDate(exp),
	}
}

// tokenTimes returns iat and exp in whole seconds: iat is now truncated to
// the second and exp is iat plus ttl, truncated too, so exp - iat never
// exceeds ttl (a fractional ttl is rounded down).
func tokenTimes(now time.Time, ttl time.Duration) (iat, exp time.Time) {
	iat = time.Unix(now.Unix(), 0).UTC()
	exp = time.Unix(iat.Add(ttl).Unix(), 0).UTC()

	return iat, exp
}

// checkLaunchRequest applies the verifier's launch rules before signing,
// so that a partner learns of a mistake at once.
func checkLaunchRequest(req LaunchRequest) error {
	c := claimSet{
		Subject: req.Subject, Name: req.Name, Role: req.Role, CohortID: req.CohortID,
		CaseID: req.CaseID, CaseSetID: req.CaseSetID,
	}

	return checkLaunchClaims(&c)
}

// tokenSigner produces compact JWS for one key.
type tokenSigner struct {
	alg    string
	kid    string
	signer crypto.Signer
	secret []byte
	rand   io.Reader
}

func newTokenSigner(alg string, signer crypto.Signer, secret []byte, kid string,
	rnd io.Reader) (*tokenSigner, error) {
	if alg == "" {
		alg = ES256
	}

	if _, ok := signatureMethods[alg]; !ok {
		return nil, errorf(ErrConfig, "algorithm %q is not supported", alg)
	}

	if rnd == nil {
		rnd = rand.Reader
	}

	s := &tokenSigner{alg: alg, kid: kid, signer: signer, rand: rnd}
	if alg == HS256 {
		if signer != nil || !keyFits(HS256, secret) {
			return nil, errorf(ErrKeyUnsupported, "HS256 needs a secret of at least 32 bytes and no signer")
		}

		s.secret = append([]byte(nil), secret...)

		return s, nil
	}

	if signer == nil || secret != nil || !keyFits(alg, signer.Public()) {
		return nil, errorf(ErrKeyUnsupported, "%s needs a signer with a suitable key", alg)
	}

	return s, nil
}

// sign adds a fresh jti to c and returns the compact token.
func (s *tokenSigner) sign(ctx context.Context, typ string, c *claimSet) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}

	jti, err := s.newTokenID()
	if err != nil {
		return "", err
	}

	c.TokenID = jti

	hdr, err := json.Marshal(header{Alg: s.alg, Typ: typ, Kid: s.kid}, json.OmitZeroStructFields(true))
	if err != nil {
		return "", err
	}

	payload, err := json.Marshal(c)
	if err != nil {
		return "", err
	}

	input := base64.RawURLEncoding.EncodeToString(hdr) + "." +
		base64.RawURLEncoding.EncodeToString(payload)
	sig, err := s.signature(input)
	if err != nil {
		return "", errorf(ErrKeyUnsupported, "sign: %w", err)
	}

	return input + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}

// newTokenID returns 128 random bits, base64url encoded.
func (s *tokenSigner) newTokenID() (string, error) {
	var b [16]byte
	if _, err := io.ReadFull(s.rand, b[:]); err != nil {
		return "", errorf(ErrConfig, "random source failed: %w", err)
	}

	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// signature signs input with the configured key.
func (s *tokenSigner) signature(input string) ([]byte, error) {
	if s.alg == HS256 {
		return jwt.SigningMethodHS256.Sign(input, s.secret)
	}

	if s.alg == EdDSA {
		return s.signer.Sign(s.rand, []byte(input), crypto.Hash(0))
	}

	digest := sha256.Sum256([]byte(input))
	var opts crypto.SignerOpts = crypto.SHA256
	if s.alg == PS256 {
		opts = &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: crypto.SHA256}
	}

	sig, err := s.signer.Sign(s.rand, digest[:], opts)
	if err != nil || s.alg != ES256 {
		return sig, err
	}

	return ecdsaRawSignature(sig)
}

// ecdsaRawSignature converts an ASN.1 DER ECDSA P-256 signature, as every
// crypto.Signer returns it, to the fixed 64-byte R||S form of JWS.
func ecdsaRawSignature(der []byte) ([]byte, error) {
	var rs struct{ R, S *big.Int }
	rest, err := asn1.Unmarshal(der, &rs)
	if err != nil || len(rest) > 0 {
		return nil, errors.New("signer returned a malformed ECDSA signature")
	}

	if rs.R.Sign() <= 0 || rs.S.Sign() <= 0 || rs.R.BitLen() > 256 || rs.S.BitLen() > 256 {
		return nil, errors.New("signer returned an out-of-range ECDSA signature")
	}

	out := make([]byte, 64)
	rs.R.FillBytes(out[:32])
	rs.S.FillBytes(out[32:])

	return out, nil
}

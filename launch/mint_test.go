package launch

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewMinterRejects(t *testing.T) {
	loadTestKeys()
	small, err := testRSA1024()
	require.NoError(t, err)
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	require.NoError(t, err)

	base := MinterConfig{Issuer: testIssuer, Audience: testAudience, Signer: ecKey}
	edit := func(f func(*MinterConfig)) MinterConfig {
		c := base
		f(&c)
		return c
	}
	tests := []struct {
		name    string
		cfg     MinterConfig
		wantErr error
	}{
		{"no issuer", edit(func(c *MinterConfig) { c.Issuer = "" }), ErrConfig},
		{"no audience", edit(func(c *MinterConfig) { c.Audience = "" }), ErrConfig},
		{"TTL above 5 minutes",
			edit(func(c *MinterConfig) { c.TTL = 5*time.Minute + time.Second }), ErrConfig},
		{"negative TTL", edit(func(c *MinterConfig) { c.TTL = -time.Second }), ErrConfig},
		{"algorithm none", edit(func(c *MinterConfig) { c.Algorithm = "none" }), ErrConfig},
		{"no signer", edit(func(c *MinterConfig) { c.Signer = nil }), ErrKeyUnsupported},
		{"P-384 key for ES256", edit(func(c *MinterConfig) { c.Signer = p384 }), ErrKeyUnsupported},
		{"RSA 1024", edit(func(c *MinterConfig) { c.Algorithm, c.Signer = RS256, small }), ErrKeyUnsupported},
		{"EC key for RS256", edit(func(c *MinterConfig) { c.Algorithm = RS256 }), ErrKeyUnsupported},
		{"secret without HS256",
			edit(func(c *MinterConfig) { c.Signer, c.Secret = nil, testSecret }), ErrKeyUnsupported},
		{"HS256 short secret", edit(func(c *MinterConfig) {
			c.Algorithm, c.Signer, c.Secret = HS256, nil, []byte("0123456789abcdef0123456789abcde")
		}), ErrKeyUnsupported},
		{"HS256 with a signer",
			edit(func(c *MinterConfig) { c.Algorithm, c.Secret = HS256, testSecret }), ErrKeyUnsupported},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := NewMinter(tt.cfg)
			assert.Nil(t, m)
			assert.ErrorIs(t, err, tt.wantErr)
		})
	}
}

func TestMintRejectsBadRequests(t *testing.T) {
	m := newTestMinter(t, ES256, t0)
	tests := []struct {
		name    string
		req     LaunchRequest
		wantErr error
	}{
		{"no subject", LaunchRequest{Role: RoleLearner, CohortID: "c"}, ErrMissingClaim},
		{"no cohort", LaunchRequest{Subject: "s", Role: RoleLearner}, ErrMissingClaim},
		{"no role", LaunchRequest{Subject: "s", CohortID: "c"}, ErrMissingClaim},
		{"unknown role", LaunchRequest{Subject: "s", CohortID: "c", Role: "admin"}, ErrInvalidClaim},
		{"case and case set", LaunchRequest{
			Subject: "s", CohortID: "c", Role: RoleLearner, CaseID: "a", CaseSetID: "b",
		}, ErrInvalidClaim},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := m.Mint(context.Background(), tt.req)
			assert.Empty(t, tok)
			assert.ErrorIs(t, err, tt.wantErr)
		})
	}
}

func TestMintedTokenShape(t *testing.T) {
	tests := []struct {
		name   string
		typ    string
		mint   func(m *Minter) (string, error)
		claims []string
	}{
		{"launch", TypeLaunch, func(m *Minter) (string, error) {
			return m.Mint(context.Background(), testRequest)
		}, []string{"iss", "sub", "aud", "iat", "exp", "jti", "role", "cohort_id", "case_id", "name"}},
		{"API credential", TypeAPICredential, func(m *Minter) (string, error) {
			return m.MintAPICredential(context.Background(), testAPIAudience)
		}, []string{"iss", "sub", "aud", "iat", "exp", "jti"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := tt.mint(newTestMinter(t, ES256, t0))
			require.NoError(t, err)
			parts := strings.Split(tok, ".")
			require.Len(t, parts, 3)

			var hdr map[string]any
			require.NoError(t, json.Unmarshal(mustB64(t, parts[0]), &hdr))
			assert.Equal(t, map[string]any{"alg": "ES256", "typ": tt.typ, "kid": "k1"}, hdr)

			var claims map[string]any
			require.NoError(t, json.Unmarshal(mustB64(t, parts[1]), &claims))
			for _, c := range tt.claims {
				assert.Contains(t, claims, c)
			}
			assert.Equal(t, float64(t0.Unix()), claims["iat"])
			assert.Equal(t, float64(t0.Add(DefaultTTL).Unix()), claims["exp"])
			assert.Len(t, mustB64(t, claims["jti"].(string)), 16, "128-bit jti")
		})
	}
}

func TestMintCancelledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()

	_, err := newTestMinter(t, ES256, t0).Mint(ctx, testRequest)
	assert.ErrorIs(t, err, context.Canceled)
}

// opaqueSigner hides the concrete key type, as a KMS client would.
type opaqueSigner struct{ inner crypto.Signer }

func (s opaqueSigner) Public() crypto.PublicKey { return s.inner.Public() }

func (s opaqueSigner) Sign(r io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	return s.inner.Sign(r, digest, opts)
}

func TestMintWithAnyCryptoSigner(t *testing.T) {
	for _, alg := range []string{ES256, EdDSA, RS256, PS256} {
		t.Run(alg, func(t *testing.T) {
			inner, _ := testSigner(alg)
			m, err := NewMinter(MinterConfig{
				Issuer: testIssuer, Audience: testAudience, Algorithm: alg,
				Signer: opaqueSigner{inner}, KeyID: "k1", Now: fixedClock(t0),
			})
			require.NoError(t, err)
			v := newTestVerifier(t, t0, testPartner(alg))

			_, err = v.Verify(context.Background(), mustMint(t, m))
			assert.NoError(t, err)
		})
	}
}

func mustB64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(s)
	require.NoError(t, err)

	return b
}

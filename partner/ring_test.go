package partner_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/launch"
	"github.com/virtualaipatient/integration/partner"
)

func TestNewRingConfig(t *testing.T) {
	key := newKey(t)
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	require.NoError(t, err)

	tests := []struct {
		name    string
		cfg     partner.RingConfig
		key     crypto.Signer
		wantErr error
	}{
		{name: "defaults", cfg: partner.RingConfig{Issuer: issuer, Audience: launchAud}, key: key},
		{name: "no issuer", cfg: partner.RingConfig{Audience: launchAud}, key: key,
			wantErr: partner.ErrConfig},
		{name: "no audience", cfg: partner.RingConfig{Issuer: issuer}, key: key,
			wantErr: partner.ErrConfig},
		{name: "no key", cfg: partner.RingConfig{Issuer: issuer, Audience: launchAud},
			wantErr: partner.ErrConfig},
		{name: "lifetime too long", cfg: partner.RingConfig{Issuer: issuer, Audience: launchAud,
			APICredentialTTL: 10 * time.Minute}, key: key, wantErr: partner.ErrConfig},
		{name: "overlap too short", cfg: partner.RingConfig{Issuer: issuer, Audience: launchAud,
			Overlap: time.Minute}, key: key, wantErr: partner.ErrConfig},
		{name: "key of another algorithm", cfg: partner.RingConfig{Issuer: issuer,
			Audience: launchAud, Algorithm: launch.EdDSA}, key: key,
			wantErr: launch.ErrKeyUnsupported},
		{name: "unsupported curve", cfg: partner.RingConfig{Issuer: issuer, Audience: launchAud},
			key: p384, wantErr: launch.ErrKeyUnsupported},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ring, err := partner.NewRing(tt.cfg, tt.key)
			if tt.wantErr != nil {
				assert.ErrorIs(t, err, tt.wantErr)
				assert.Nil(t, ring)

				return
			}

			require.NoError(t, err)
			assert.Equal(t, mustKeyID(t, key.Public()), ring.KeyID())
		})
	}
}

func keyIDs(keys []launch.PublicKey) []string {
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		out = append(out, k.KeyID)
	}

	return out
}

func TestRingRotation(t *testing.T) {
	clock := newClock()
	first, second, third := newKey(t), newKey(t), newKey(t)
	ring := newRing(t, clock.Now, first)
	id1, id2, id3 := mustKeyID(t, first.Public()), mustKeyID(t, second.Public()),
		mustKeyID(t, third.Public())

	assert.ErrorIs(t, ring.Promote(), partner.ErrNoStagedKey)
	assert.ErrorIs(t, ring.Stage(first), partner.ErrConfig, "staging the current key")

	require.NoError(t, ring.Stage(second))
	assert.Equal(t, id1, ring.KeyID(), "a staged key does not sign")
	assert.Equal(t, []string{id1, id2}, keyIDs(ring.PublicKeys()))

	require.NoError(t, ring.Promote())
	assert.Equal(t, id2, ring.KeyID())
	assert.Equal(t, []string{id2, id1}, keyIDs(ring.PublicKeys()))

	clock.Advance(30 * time.Minute)
	require.NoError(t, ring.Rotate(third))
	assert.Equal(t, []string{id3, id2, id1}, keyIDs(ring.PublicKeys()))

	clock.Advance(31 * time.Minute)
	assert.Equal(t, []string{id3, id2}, keyIDs(ring.PublicKeys()), "first key past its overlap")

	clock.Advance(time.Hour)
	assert.Equal(t, []string{id3}, keyIDs(ring.PublicKeys()))

	restored, err := launch.PublicKeyOf(first, id1, launch.ES256)
	require.NoError(t, err)
	require.NoError(t, ring.AddPrevious(restored, clock.Now().Add(time.Hour)))
	assert.Equal(t, []string{id3, id1}, keyIDs(ring.PublicKeys()))
	assert.ErrorIs(t, ring.AddPrevious(launch.PublicKey{Key: first.Public()}, clock.Now()),
		launch.ErrConfig, "a previous key needs a key id")
}

func TestRingTokensVerify(t *testing.T) {
	clock := newClock()
	ring := newRing(t, clock.Now, newKey(t))
	require.NoError(t, ring.Stage(newKey(t)))

	ctx := context.Background()
	before, err := ring.Mint(ctx, learner("learner-001").LaunchRequest())
	require.NoError(t, err)

	require.NoError(t, ring.Promote())
	after, err := ring.Mint(ctx, learner("learner-002").LaunchRequest())
	require.NoError(t, err)

	cred, _, err := ring.MintAPICredential(ctx, apiAud)
	require.NoError(t, err)

	verifier, err := launch.NewVerifier(launch.VerifierConfig{
		Partners: []launch.Partner{{ID: partnerID, Issuer: issuer, Audience: launchAud,
			APIAudience: apiAud, Algorithms: []string{launch.ES256}, Keys: ring.PublicKeys()}},
		Now: clock.Now,
	})
	require.NoError(t, err)
	t.Cleanup(verifier.Close)

	for name, token := range map[string]string{"before": before, "after": after} {
		l, err := verifier.Verify(ctx, token)
		require.NoError(t, err, name)
		assert.Equal(t, launch.RoleLearner, l.Role, "role defaults to learner")
		assert.Equal(t, cohortID, l.CohortID)
	}

	c, err := verifier.VerifyAPICredential(ctx, cred)
	require.NoError(t, err)
	assert.Equal(t, partnerID, c.PartnerID)
	assert.Equal(t, clock.Now().Add(partner.DefaultAPICredentialTTL), c.ExpiresAt)
}

func TestJWKSHandler(t *testing.T) {
	ring := newRing(t, newClock().Now, newKey(t))
	require.NoError(t, ring.Stage(newKey(t)))
	srv := httptest.NewServer(ring.JWKSHandler())
	t.Cleanup(srv.Close)

	tests := []struct {
		name       string
		method     string
		wantStatus int
		wantBody   bool
	}{
		{name: "GET", method: http.MethodGet, wantStatus: http.StatusOK, wantBody: true},
		{name: "HEAD", method: http.MethodHead, wantStatus: http.StatusOK},
		{name: "POST", method: http.MethodPost, wantStatus: http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, srv.URL, nil)
			require.NoError(t, err)

			resp, err := srv.Client().Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()

			body, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			assert.Equal(t, tt.wantStatus, resp.StatusCode)
			if !tt.wantBody {
				return
			}

			assert.Equal(t, "application/jwk-set+json", resp.Header.Get("Content-Type"))
			assert.Equal(t, "public, max-age=300", resp.Header.Get("Cache-Control"))
			keys, err := launch.ParseJWKS(body)
			require.NoError(t, err)
			assert.Equal(t, keyIDs(ring.PublicKeys()), keyIDs(keys))
		})
	}
}

func TestTokenSource(t *testing.T) {
	clock := newClock()
	ring := newRing(t, clock.Now, newKey(t))
	src, err := partner.NewTokenSource(ring, apiAud)
	require.NoError(t, err)

	first, err := src.Token()
	require.NoError(t, err)
	assert.Equal(t, "Bearer", first.Type())
	assert.Equal(t, clock.Now().Add(partner.DefaultAPICredentialTTL), first.Expiry)

	clock.Advance(partner.DefaultAPICredentialTTL - partner.DefaultEarlyRenewal - time.Second)
	again, err := src.Token()
	require.NoError(t, err)
	assert.Equal(t, first.AccessToken, again.AccessToken, "reused while fresh")

	require.NoError(t, ring.Rotate(newKey(t)))
	clock.Advance(time.Second)
	renewed, err := src.Token()
	require.NoError(t, err)
	assert.NotEqual(t, first.AccessToken, renewed.AccessToken, "renewed before expiry")
	assert.Contains(t, headerOf(t, renewed.AccessToken), ring.KeyID(), "signed with the new key")

	_, err = partner.NewTokenSource(ring, "")
	assert.ErrorIs(t, err, partner.ErrConfig)
}

// headerOf returns the decoded JOSE header of a compact token.
func headerOf(t *testing.T, token string) string {
	t.Helper()
	seg, _, ok := strings.Cut(token, ".")
	require.True(t, ok)

	raw, err := base64.RawURLEncoding.DecodeString(seg)
	require.NoError(t, err)

	return string(raw)
}

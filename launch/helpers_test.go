package launch

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// t0 is the fixed clock of the tests.
var t0 = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

func fixedClock(t time.Time) func() time.Time { return func() time.Time { return t } }

const (
	testIssuer      = "https://lms.example.edu"
	testAudience    = "https://vap.example.com/launch"
	testAPIAudience = "https://vap.example.com/api"
)

var testSecret = []byte("0123456789abcdef0123456789abcdef")

var (
	keysOnce sync.Once
	ecKey    *ecdsa.PrivateKey
	edKey    ed25519.PrivateKey
	rsaKey   *rsa.PrivateKey
)

func loadTestKeys() {
	keysOnce.Do(func() {
		var err error
		ecKey, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			panic(err)
		}

		_, edKey, err = ed25519.GenerateKey(rand.Reader)
		if err != nil {
			panic(err)
		}

		rsaKey, err = rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
	})
}

// testSigner returns the signer (or secret) for alg.
func testSigner(alg string) (crypto.Signer, []byte) {
	loadTestKeys()
	switch alg {
	case ES256:
		return ecKey, nil
	case EdDSA:
		return edKey, nil
	case RS256, PS256:
		return rsaKey, nil
	default:
		return nil, testSecret
	}
}

// testPartner returns a partner that accepts alg with the test key for it.
func testPartner(alg string) Partner {
	signer, secret := testSigner(alg)
	var key any = secret
	if signer != nil {
		key = signer.Public()
	}

	return Partner{
		ID: "lms", Issuer: testIssuer, Audience: testAudience, APIAudience: testAPIAudience,
		Algorithms: []string{alg}, Keys: []PublicKey{{KeyID: "k1", Key: key}},
	}
}

func newTestVerifier(t testing.TB, now time.Time, partners ...Partner) *Verifier {
	t.Helper()
	v, err := NewVerifier(VerifierConfig{Partners: partners, Now: fixedClock(now)})
	require.NoError(t, err)
	t.Cleanup(v.Close)

	return v
}

func newTestMinter(t testing.TB, alg string, now time.Time) *Minter {
	t.Helper()
	signer, secret := testSigner(alg)
	m, err := NewMinter(MinterConfig{
		Issuer: testIssuer, Audience: testAudience, Algorithm: alg,
		Signer: signer, Secret: secret, KeyID: "k1", Now: fixedClock(now),
	})
	require.NoError(t, err)

	return m
}

var testRequest = LaunchRequest{
	Subject: "user-42", Name: "Ada", Role: RoleLearner, CohortID: "cohort-7", CaseID: "acs-chest-pain",
}

func mustMint(t testing.TB, m *Minter) string {
	t.Helper()
	tok, err := m.Mint(context.Background(), testRequest)
	require.NoError(t, err)

	return tok
}

// craft signs an arbitrary header and payload with the test key of alg.
func craft(t testing.TB, alg, headerJSON, payloadJSON string) string {
	t.Helper()
	signer, secret := testSigner(alg)
	s := &tokenSigner{alg: alg, signer: signer, secret: secret, rand: rand.Reader}
	input := b64(headerJSON) + "." + b64(payloadJSON)
	sig, err := s.signature(input)
	require.NoError(t, err)

	return input + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

var (
	rsa1024Once sync.Once
	rsa1024     *rsa.PrivateKey
	rsa1024Err  error
)

func testRSA1024() (*rsa.PrivateKey, error) {
	rsa1024Once.Do(func() {
		// A deliberately weak key, to check it is refused.
		rsa1024, rsa1024Err = rsa.GenerateKey(rand.Reader, 1024)
	})

	return rsa1024, rsa1024Err
}

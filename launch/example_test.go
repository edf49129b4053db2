package launch_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http/httptest"
	"time"

	"github.com/virtualaipatient/integration/launch"
)

var exampleNow = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

func clock() time.Time { return exampleNow }

// exampleSetup returns a partner's signing key and the matching registry
// entry at VAP.
func exampleSetup() (*ecdsa.PrivateKey, launch.Partner) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}

	partner := launch.Partner{
		ID:          "city-med",
		Issuer:      "https://lms.city-med.example",
		Audience:    "https://vap.example/launch",
		APIAudience: "https://vap.example/api",
		Algorithms:  []string{launch.ES256},
		Keys:        []launch.PublicKey{{KeyID: "2026-03", Key: key.Public()}},
	}

	return key, partner
}

// A partner backend mints a launch token; the VAP backend verifies it once.
func Example() {
	key, partner := exampleSetup()

	// Partner side.
	minter, err := launch.NewMinter(launch.MinterConfig{
		Issuer: partner.Issuer, Audience: partner.Audience, Signer: key, KeyID: "2026-03", Now: clock,
	})
	if err != nil {
		panic(err)
	}

	token, err := minter.Mint(context.Background(), launch.LaunchRequest{
		Subject: "u-1001", Role: launch.RoleLearner, CohortID: "im-2026", CaseID: "acs-chest-pain",
	})
	if err != nil {
		panic(err)
	}

	// VAP side.
	verifier, err := launch.NewVerifier(launch.VerifierConfig{
		Partners: []launch.Partner{partner}, Now: clock,
	})
	if err != nil {
		panic(err)
	}
	defer verifier.Close()

	l, err := verifier.Verify(context.Background(), token)
	if err != nil {
		panic(err)
	}
	fmt.Println(l.PartnerID, l.Role, l.CohortID, l.CaseID, l.ExpiresAt.Format(time.RFC3339))

	_, err = verifier.Verify(context.Background(), token)
	fmt.Println(launch.Code(err))
	// Output:
	// city-med learner im-2026 acs-chest-pain 2026-03-02T09:31:00Z
	// token_replayed
}

func ExampleVerifier_VerifyAPICredential() {
	key, partner := exampleSetup()
	minter, err := launch.NewMinter(launch.MinterConfig{
		Issuer: partner.Issuer, Audience: partner.Audience, Signer: key, KeyID: "2026-03", Now: clock,
	})
	if err != nil {
		panic(err)
	}

	verifier, err := launch.NewVerifier(launch.VerifierConfig{Partners: []launch.Partner{partner}, Now: clock})
	if err != nil {
		panic(err)
	}
	defer verifier.Close()

	credential, err := minter.MintAPICredential(context.Background(), partner.APIAudience)
	if err != nil {
		panic(err)
	}

	cred, err := verifier.VerifyAPICredential(context.Background(), credential)
	fmt.Println(cred.PartnerID, err)

	// A credential is never a launch token.
	_, err = verifier.Verify(context.Background(), credential)
	fmt.Println(launch.Code(err))
	// Output:
	// city-med <nil>
	// token_type_invalid
}

func ExampleNewSessionTokens() {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}

	sessions, err := launch.NewSessionTokens(launch.SessionTokenConfig{
		Issuer: "https://vap.example", Signer: key, KeyID: "s1", Now: clock,
	})
	if err != nil {
		panic(err)
	}

	token, exp, err := sessions.Issue("5f0c6a52-1b1e-4a57-9a0e-0c1d2e3f4a5b", "city-med")
	if err != nil {
		panic(err)
	}

	got, err := sessions.Verify(token)
	if err != nil {
		panic(err)
	}
	fmt.Println(got.SessionID, got.PartnerID, exp.Format(time.RFC3339))
	// Output:
	// 5f0c6a52-1b1e-4a57-9a0e-0c1d2e3f4a5b city-med 2026-03-02T09:45:00Z
}

func ExampleNewJWKSHandler() {
	now := exampleNow
	keys := launch.NewKeySet(launch.KeySetConfig{Now: func() time.Time { return now }})

	oldKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	newKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	_ = keys.SetCurrent(launch.PublicKey{KeyID: "2026-02", Algorithm: launch.ES256, Key: oldKey.Public()}, 0)

	// Rotate: the old key stays published for a day.
	current := launch.PublicKey{KeyID: "2026-03", Algorithm: launch.ES256, Key: newKey.Public()}
	_ = keys.SetCurrent(current, 24*time.Hour)

	srv := httptest.NewServer(launch.NewJWKSHandler(keys))
	defer srv.Close()

	resp, err := srv.Client().Get(srv.URL)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()

	body, _ := io.ReadAll(resp.Body)
	published, err := launch.ParseJWKS(body)
	if err != nil {
		panic(err)
	}

	for _, k := range published {
		fmt.Println(k.KeyID, k.Algorithm)
	}
	// Output:
	// 2026-03 ES256
	// 2026-02 ES256
}

func ExampleNewMemoryReplayGuard() {
	guard := launch.NewMemoryReplayGuard(launch.MemoryReplayGuardConfig{Capacity: 10000, Now: clock})
	until := exampleNow.Add(90 * time.Second)

	fmt.Println(guard.Consume(context.Background(), "https://lms.city-med.example", "jti-1", until))
	err := guard.Consume(context.Background(), "https://lms.city-med.example", "jti-1", until)
	fmt.Println(errors.Is(err, launch.ErrReplayed))
	// Output:
	// <nil>
	// true
}

func ExampleCode() {
	_, partner := exampleSetup()
	verifier, err := launch.NewVerifier(launch.VerifierConfig{Partners: []launch.Partner{partner}, Now: clock})
	if err != nil {
		panic(err)
	}
	defer verifier.Close()

	_, err = verifier.Verify(context.Background(), "not-a-token")
	fmt.Println(launch.Code(err))
	fmt.Println(launch.Hint(err))
	// Output:
	// token_malformed
	// send a compact JWS: three unpadded base64url segments separated by dots
}

func ExampleLoadPrivateKeyPEM() {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ := x509.MarshalPKCS8PrivateKey(key)
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})

	signer, err := launch.LoadPrivateKeyPEM(pemBytes)
	if err != nil {
		panic(err)
	}

	pub, err := launch.PublicKeyOf(signer, "2026-03", launch.ES256)
	fmt.Println(pub.KeyID, err)
	// Output:
	// 2026-03 <nil>
}

func ExampleParsePublicKeyPEM() {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ := x509.MarshalPKIXPublicKey(key.Public())

	pub, err := launch.ParsePublicKeyPEM(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
	fmt.Println(pub.(*ecdsa.PublicKey).Equal(key.Public()), err)
	// Output:
	// true <nil>
}

func ExampleMarshalPublicJWK() {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)

	pub := launch.PublicKey{KeyID: "2026-03", Algorithm: launch.ES256, Key: key.Public()}
	jwk, err := launch.MarshalPublicJWK(pub)
	if err != nil {
		panic(err)
	}

	parsed, err := launch.ParsePublicJWK(jwk)
	fmt.Println(parsed.KeyID, parsed.Algorithm, err)
	// Output:
	// 2026-03 ES256 <nil>
}

// CheckID applies the launch token's rule for ids to an id from another
// source, such as the subject of a single sign-on ID token.
func ExampleCheckID() {
	for _, sub := range []string{"learner-0001", "..", "user\u202e1"} {
		err := launch.CheckID("sub", sub)
		fmt.Println(errors.Is(err, launch.ErrInvalidClaim), err)
	}
	// Output:
	// false <nil>
	// true launch: invalid claim: sub is a dot segment
	// true launch: invalid claim: sub holds a format character
}

// A VAP backend checks the Origin of a browser's launch form post against
// the origins registered for the partner.
func ExampleLaunch_AllowsFormOrigin() {
	l := &launch.Launch{FormOrigins: []string{"https://lms.example.edu"}}
	fmt.Println(l.AllowsFormOrigin("https://lms.example.edu"))
	fmt.Println(l.AllowsFormOrigin("https://evil.example"))
	fmt.Println(l.AllowsFormOrigin("null"))
	// Output:
	// true
	// false
	// false
}

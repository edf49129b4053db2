// Command quickstart runs the main job of the SDK on loopback: a partner
// backend mints a launch token and publishes its keys, and VAP verifies the
// token, then refuses to accept it a second time.
package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/virtualaipatient/integration/launch"
)

func main() {
	flag.Parse()

	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart: FAILED:", err)
		os.Exit(1)
	}

	fmt.Println("quickstart: OK")
}

func run(ctx context.Context) error {
	const (
		issuer   = "https://partner.example"
		audience = "https://vap.example/launch"
	)

	// 1. The partner generates its signing key and publishes the public half.
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}

	pub, err := launch.PublicKeyOf(key, "partner-key-1", "ES256")
	if err != nil {
		return err
	}

	keys := launch.NewKeySet(launch.KeySetConfig{})
	if err := keys.SetCurrent(pub, 0); err != nil {
		return err
	}

	jwksURL, stop, err := serve(launch.NewJWKSHandler(keys))
	if err != nil {
		return err
	}
	defer stop()

	step("partner publishes its JWKS at %s", jwksURL)

	// 2. The partner backend mints a launch token for one learner.
	minter, err := launch.NewMinter(launch.MinterConfig{
		Issuer: issuer, Audience: audience, Signer: key, KeyID: pub.KeyID,
	})
	if err != nil {
		return err
	}

	token, err := minter.Mint(ctx, launch.LaunchRequest{
		Subject: "learner-42", Role: launch.RoleLearner,
		CohortID: "cardiology-2026", CaseID: "acs-chest-pain",
	})
	if err != nil {
		return err
	}

	step("partner mints an ES256 launch token (%d bytes, valid %s)", len(token), launch.DefaultTTL)

	// 3. VAP verifies it against the partner's JWKS.
	verifier, err := launch.NewVerifier(launch.VerifierConfig{
		Partners: []launch.Partner{{
			ID: "partner-1", Issuer: issuer, Audience: audience,
			Algorithms: []string{"ES256"}, JWKSURL: jwksURL,
		}},
	})
	if err != nil {
		return err
	}
	defer verifier.Close()

	got, err := verifier.Verify(ctx, token)
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}

	step("VAP verifies it: partner %s, learner %s, cohort %s, case %s",
		got.PartnerID, got.Subject, got.CohortID, got.CaseID)

	// 4. A token works once.
	_, err = verifier.Verify(ctx, token)
	if !errors.Is(err, launch.ErrReplayed) {
		return fmt.Errorf("second use was not refused as a replay: %v", err)
	}

	step("VAP refuses the same token again: %s (%s)", launch.Code(err), launch.Hint(err))

	return nil
}

// serve starts h on a loopback port and returns its URL.
func serve(h http.Handler) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}

	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln) //nolint:errcheck // Serve returns when the server closes.

	return "http://" + ln.Addr().String() + "/.well-known/jwks.json", func() { srv.Close() }, nil
}

func step(format string, args ...any) {
	fmt.Printf("  - "+format+"\n", args...)
}

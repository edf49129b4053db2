package main

import (
	"encoding/base64"
	"os"
	"strings"
	"time"
)

// Example_inspect decodes a token without verifying it. The token is built
// by hand here: inspect never checks the signature.
func Example_inspect() {
	enc := base64.RawURLEncoding.EncodeToString
	token := enc([]byte(`{"alg":"ES256","typ":"vap-launch+jwt","kid":"k1"}`)) + "." +
		enc([]byte(`{"iss":"https://lms.example.edu","exp":1772443860,"role":"learner"}`)) + "." +
		enc([]byte("signature"))
	now := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

	runEnv(envFixed(now), []string{"inspect"}, strings.NewReader(token), os.Stdout, os.Stderr)
	// Output:
	// UNVERIFIED: decoded only; the signature, issuer, audience and times were NOT checked (use vapctl doctor)
	//
	// header (unverified):
	// {
	//   "alg": "ES256",
	//   "kid": "k1",
	//   "typ": "vap-launch+jwt"
	// }
	//
	// claims (unverified):
	// {
	//   "exp": 1772443860,
	//   "iss": "https://lms.example.edu",
	//   "role": "learner"
	// }
	//
	// times (unverified):
	//   exp 2026-03-02T09:31:00Z (in 1m0s)
	//
	// signature: 9 bytes (not checked)
}

func envFixed(now time.Time) env {
	return env{now: func() time.Time { return now }}
}

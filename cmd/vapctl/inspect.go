package main

import (
	"fmt"
	"io"
	"time"
)

// unverifiedWarning heads every inspect output.
const unverifiedWarning = "UNVERIFIED: decoded only; the signature, issuer, audience and times " +
	"were NOT checked (use vapctl doctor)"

type inspectResult struct {
	Verified       bool           `json:"verified"`
	Warning        string         `json:"warning"`
	Header         map[string]any `json:"header"`
	Claims         map[string]any `json:"claims"`
	SignatureBytes int            `json:"signature_bytes"`
	Times          []timeClaim    `json:"times,omitempty"`
}

// timeClaim is a NumericDate claim shown as a time and relative to now.
type timeClaim struct {
	Claim    string    `json:"claim"`
	Time     time.Time `json:"time"`
	Relative string    `json:"relative"`
}

func runInspect(s *session, args []string) error {
	fs := s.newFlagSet("Decode a token WITHOUT verifying it and print its header and claims.\n" +
		"The token is read from the argument or, when absent or \"-\", from stdin.\n" +
		"Nothing printed here is trustworthy: use vapctl doctor to verify.")
	fs.args = "[TOKEN | -]"
	fs.BoolVar(&s.json, "json", false, "machine-readable output")
	if err := fs.parse(s, args); err != nil {
		return err
	}

	token, err := s.readToken(fs.Args())
	if err != nil {
		return err
	}

	d, err := decodeUnverified(token)
	if err != nil {
		return err
	}

	res := inspectResult{
		Warning: unverifiedWarning, Header: d.Header, Claims: d.Claims,
		SignatureBytes: len(d.Signature), Times: timeClaims(d.Claims, s.env.now()),
	}
	if s.json {
		return writeJSON(s.stdout, res)
	}

	return printInspect(s.stdout, res)
}

func timeClaims(claims map[string]any, now time.Time) []timeClaim {
	var out []timeClaim
	for _, name := range []string{"iat", "nbf", "exp"} {
		t, present, ok := dateClaim(claims, name)
		if present && ok {
			out = append(out, timeClaim{Claim: name, Time: t, Relative: relative(t, now)})
		}
	}

	return out
}

// relative describes t as seen from now: "in 45s" or "2m0s ago".
func relative(t, now time.Time) string {
	d := t.Sub(now).Round(time.Second)
	switch {
	case d > 0:
		return "in " + d.String()
	case d < 0:
		return (-d).String() + " ago"
	default:
		return "now"
	}
}

func printInspect(w io.Writer, res inspectResult) error {
	fmt.Fprintf(w, "%s\n\nheader (unverified):\n", res.Warning)
	if err := writeJSON(w, res.Header); err != nil {
		return err
	}

	fmt.Fprintln(w, "\nclaims (unverified):")
	if err := writeJSON(w, res.Claims); err != nil {
		return err
	}

	if len(res.Times) > 0 {
		fmt.Fprintln(w, "\ntimes (unverified):")
	}

	for _, tc := range res.Times {
		fmt.Fprintf(w, "  %-3s %s (%s)\n", tc.Claim, tc.Time.Format(time.RFC3339), tc.Relative)
	}

	_, err := fmt.Fprintf(w, "\nsignature: %d bytes (not checked)\n", res.SignatureBytes)

	return err
}

package launch

import (
	"context"
	"strings"
	"testing"
)

// FuzzVerify feeds arbitrary strings to every verification entry point:
// none may panic, and none may accept, since no input here carries a valid
// signature except the seed, which is consumed before fuzzing starts.
func FuzzVerify(f *testing.F) {
	tok := mustMint(f, newTestMinter(f, ES256, t0))
	h, rest, _ := strings.Cut(tok, ".")
	for _, seed := range []string{
		"", ".", "..", "a.b.c", tok + "x", h + "." + rest[:10] + "." + rest[10:], h + ".e30.",
		b64(`{"alg":"none"}`) + "." + b64(`{}`) + ".", b64(`{"alg":"ES256","alg":"ES256"}`) + ".e30.AA",
		b64(`{"alg":"ES256","typ":"vap-launch+jwt"}`) + "." + b64(`{"iss":"`+testIssuer+`","exp":"1"}`) + ".AA",
	} {
		f.Add(seed)
	}

	v := newTestVerifier(f, t0, testPartner(ES256))
	if _, err := v.Verify(context.Background(), tok); err != nil {
		f.Fatal(err)
	}

	f.Fuzz(func(t *testing.T, s string) {
		if l, err := v.Verify(context.Background(), s); err == nil || l != nil {
			t.Fatalf("accepted %q", s)
		}

		if c, err := v.VerifyAPICredential(context.Background(), s); err == nil || c != nil {
			t.Fatalf("accepted as API credential %q", s)
		}

		if s == tok {
			return
		}

		if Code(nilIfAccepted(v.VerifyUnconsumed(context.Background(), s))) == "" {
			t.Fatalf("error without a code for %q", s)
		}
	})
}

func nilIfAccepted(l *Launch, err error) error {
	if l != nil {
		return nil
	}

	return err
}

package launch

import (
	"context"
	"testing"

	"github.com/golang-jwt/jwt/v5"
)

var benchAlgorithms = []string{ES256, EdDSA, RS256, PS256, HS256}

// benchPool is the number of distinct tokens a verification benchmark cycles
// through; the replay guard is renewed, off the clock, after each round.
const benchPool = 2048

func BenchmarkMint(b *testing.B) {
	for _, alg := range benchAlgorithms {
		b.Run(alg, func(b *testing.B) {
			m := newTestMinter(b, alg, t0)
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := m.Mint(ctx, testRequest); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkVerify(b *testing.B) {
	for _, alg := range benchAlgorithms {
		tokens := benchTokens(b, alg)
		b.Run(alg+"/launch", func(b *testing.B) { benchLaunchVerify(b, alg, tokens) })
		b.Run(alg+"/golang-jwt-baseline", func(b *testing.B) { benchBaseline(b, alg, tokens) })
	}
}

func benchTokens(b *testing.B, alg string) []string {
	m := newTestMinter(b, alg, t0)
	tokens := make([]string, benchPool)
	for i := range tokens {
		tokens[i] = mustMint(b, m)
	}

	return tokens
}

func benchLaunchVerify(b *testing.B, alg string, tokens []string) {
	v := newTestVerifier(b, t0, testPartner(alg))
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i%len(tokens) == 0 && i > 0 {
			b.StopTimer()
			v.guard = NewMemoryReplayGuard(MemoryReplayGuardConfig{Now: v.now})
			b.StartTimer()
		}

		if _, err := v.Verify(ctx, tokens[i%len(tokens)]); err != nil {
			b.Fatal(err)
		}
	}
}

// benchBaseline is plain golang-jwt on the same tokens and key, with its own
// issuer, audience, expiry and algorithm checks.
func benchBaseline(b *testing.B, alg string, tokens []string) {
	signer, secret := testSigner(alg)
	var key any = secret
	if signer != nil {
		key = signer.Public()
	}

	p := jwt.NewParser(
		jwt.WithValidMethods([]string{alg}),
		jwt.WithIssuer(testIssuer),
		jwt.WithAudience(testAudience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(DefaultLeeway),
		jwt.WithTimeFunc(fixedClock(t0)),
	)
	keyfunc := func(*jwt.Token) (any, error) { return key, nil }
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var c jwt.RegisteredClaims
		if _, err := p.ParseWithClaims(tokens[i%len(tokens)], &c, keyfunc); err != nil {
			b.Fatal(err)
		}
	}
}

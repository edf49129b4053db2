package launch

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestVerifyAcceptsEveryAlgorithm(t *testing.T) {
	for _, alg := range []string{ES256, EdDSA, RS256, PS256, HS256} {
		t.Run(alg, func(t *testing.T) {
			v := newTestVerifier(t, t0, testPartner(alg))
			tok := mustMint(t, newTestMinter(t, alg, t0))

			l, err := v.Verify(context.Background(), tok)
			require.NoError(t, err)
			assert.Equal(t, "lms", l.PartnerID)
			assert.Equal(t, testIssuer, l.Issuer)
			assert.Equal(t, "user-42", l.Subject)
			assert.Equal(t, "Ada", l.Name)
			assert.Equal(t, RoleLearner, l.Role)
			assert.Equal(t, "cohort-7", l.CohortID)
			assert.Equal(t, "acs-chest-pain", l.CaseID)
			assert.Empty(t, l.CaseSetID)
			assert.Equal(t, t0.Add(DefaultTTL), l.ExpiresAt)
			assert.Len(t, l.TokenID, 22, "128-bit jti in base64url")
		})
	}
}

// launchClaims returns valid launch claims around now, with edits applied.
func launchClaims(now time.Time, edits map[string]any) string {
	m := map[string]any{
		"iss": testIssuer, "sub": "user-42", "aud": testAudience, "role": "learner",
		"cohort_id": "cohort-7", "jti": "jti-1", "iat": now.Unix(), "exp": now.Add(time.Minute).Unix(),
	}
	for k, v := range edits {
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
	}

	var b strings.Builder
	b.WriteString("{")
	first := true
	for k, v := range m {
		if !first {
			b.WriteString(",")
		}

		first = false
		fmt.Fprintf(&b, "%q:%s", k, jsonValue(v))
	}
	b.WriteString("}")

	return b.String()
}

// m is a set of claim edits.
type m = map[string]any

// raw marks a value to be written as is.
type raw string

func jsonValue(v any) string {
	switch x := v.(type) {
	case raw:
		return string(x)
	case string:
		return fmt.Sprintf("%q", x)
	default:
		return fmt.Sprint(x)
	}
}

const goodHeader = `{"alg":"ES256","typ":"vap-launch+jwt","kid":"k1"}`

func TestVerifyRejects(t *testing.T) {
	now := t0
	good := launchClaims(now, nil)
	valid := craft(t, ES256, goodHeader, good)
	h, p, _ := strings.Cut(valid, ".")
	p, s, _ := strings.Cut(p, ".")

	es := func(claims string) string { return craft(t, ES256, goodHeader, claims) }
	with := func(edits m) string { return es(launchClaims(now, edits)) }
	hdr := func(header string) string { return craft(t, ES256, header, good) }
	typed := func(header string) string { return b64(header) + "." + p + "." + s }

	tests := []struct {
		name    string
		token   string
		wantErr error
	}{
		{"too large", valid + strings.Repeat("A", DefaultMaxTokenBytes), ErrTokenTooLarge},
		{"empty", "", ErrMalformed},
		{"two segments", h + "." + p, ErrMalformed},
		{"four segments", valid + ".x", ErrMalformed},
		{"JWE (five segments)", h + ".a.b.c.d", ErrMalformed},
		{"padding", h + "=." + p + "." + s, ErrMalformed},
		{"standard base64 characters",
			h + "." + p + "." + strings.ReplaceAll(s, "-", "+") + "+/", ErrMalformed},
		{"empty payload", h + ".." + s, ErrMalformed},
		{"header not JSON", b64("not json") + "." + p + "." + s, ErrMalformed},
		{"header array", b64(`["alg"]`) + "." + p + "." + s, ErrMalformed},
		{"claims not an object", craft(t, ES256, goodHeader, `["iss"]`), ErrMalformed},
		{"unsecured (alg none)",
			b64(`{"alg":"none","typ":"vap-launch+jwt"}`) + "." + p + ".", ErrAlgorithmNotAllowed},
		{"alg none with signature", typed(`{"alg":"none","typ":"vap-launch+jwt"}`), ErrAlgorithmNotAllowed},
		{"unknown alg", typed(`{"alg":"HS512","typ":"vap-launch+jwt"}`), ErrAlgorithmNotAllowed},
		{"alg missing", typed(`{"typ":"vap-launch+jwt"}`), ErrMalformed},
		{"alg not a string", typed(`{"alg":256,"typ":"vap-launch+jwt"}`), ErrMalformed},
		{"alg not in partner list",
			craft(t, HS256, `{"alg":"HS256","typ":"vap-launch+jwt","kid":"k1"}`, good), ErrAlgorithmNotAllowed},
		{"empty signature", h + "." + p + ".", ErrMalformed},
		{"typ missing", hdr(`{"alg":"ES256","kid":"k1"}`), ErrType},
		{"typ JWT", hdr(`{"alg":"ES256","typ":"JWT","kid":"k1"}`), ErrType},
		{"typ of API credential", hdr(`{"alg":"ES256","typ":"vap-api+jwt","kid":"k1"}`), ErrType},
		{"typ of session token", hdr(`{"alg":"ES256","typ":"vap-session+jwt","kid":"k1"}`), ErrType},
		{"crit", hdr(`{"alg":"ES256","typ":"vap-launch+jwt","kid":"k1","crit":["exp"]}`), ErrForbiddenHeader},
		{"crit null",
			hdr(`{"alg":"ES256","typ":"vap-launch+jwt","kid":"k1","crit":null}`), ErrForbiddenHeader},
		{"embedded jwk",
			hdr(`{"alg":"ES256","typ":"vap-launch+jwt","jwk":{"kty":"EC"}}`), ErrForbiddenHeader},
		{"jku",
			hdr(`{"alg":"ES256","typ":"vap-launch+jwt","jku":"https://evil.example"}`), ErrForbiddenHeader},
		{"x5u",
			hdr(`{"alg":"ES256","typ":"vap-launch+jwt","x5u":"https://evil.example"}`), ErrForbiddenHeader},
		{"x5c", hdr(`{"alg":"ES256","typ":"vap-launch+jwt","x5c":["MII"]}`), ErrForbiddenHeader},
		{"duplicate header member",
			hdr(`{"alg":"ES256","typ":"vap-launch+jwt","kid":"k1","kid":"k2"}`), ErrDuplicateMember},
		{"duplicate claim",
			craft(t, ES256, goodHeader, strings.TrimSuffix(good, "}")+`,"sub":"other"}`), ErrDuplicateMember},
		{"unknown kid", hdr(`{"alg":"ES256","typ":"vap-launch+jwt","kid":"k9"}`), ErrKeyNotFound},
		{"bad signature", h + "." + b64(launchClaims(now, m{"sub": "admin"})) + "." + s, ErrBadSignature},
		{"signature of another key", craft(t, EdDSA, goodHeader, good), ErrBadSignature},
		{"unknown issuer", with(m{"iss": "https://evil.example"}), ErrIssuer},
		{"issuer differs in case", with(m{"iss": strings.ToUpper(testIssuer)}), ErrIssuer},
		{"issuer with trailing slash", with(m{"iss": testIssuer + "/"}), ErrIssuer},
		{"issuer missing", with(m{"iss": nil}), ErrMissingClaim},
		{"claim names are case-sensitive",
			craft(t, ES256, goodHeader, strings.Replace(good, `"iss"`, `"ISS"`, 1)), ErrMissingClaim},
		{"wrong audience", with(m{"aud": "https://other"}), ErrAudience},
		{"API audience on a launch token", with(m{"aud": testAPIAudience}), ErrAudience},
		{"audience missing", with(m{"aud": nil}), ErrAudience},
		{"audience array without ours", with(m{"aud": raw(`["a","b"]`)}), ErrAudience},
		{"audience number", with(m{"aud": 7}), ErrInvalidClaim},
		{"audience array with a number", with(m{"aud": raw(`["` + testAudience + `",1]`)}), ErrInvalidClaim},
		{"exp missing", with(m{"exp": nil}), ErrMissingClaim},
		{"exp string", with(m{"exp": fmt.Sprint(now.Unix() + 60)}), ErrInvalidClaim},
		{"exp null", with(m{"exp": raw("null")}), ErrInvalidClaim},
		{"exp negative", with(m{"exp": -1}), ErrInvalidClaim},
		{"iat missing", with(m{"iat": nil}), ErrMissingClaim},
		{"iat string", with(m{"iat": "1"}), ErrInvalidClaim},
		{"nbf boolean", with(m{"nbf": raw("true")}), ErrInvalidClaim},
		{"expired beyond leeway", es(launchClaims(now.Add(-2*time.Minute), nil)), ErrExpired},
		{"not yet valid", with(m{"nbf": now.Add(31 * time.Second).Unix()}), ErrNotYetValid},
		{"issued in the future", es(launchClaims(now.Add(31*time.Second), nil)), ErrIssuedInFuture},
		{"lifetime exceeded",
			with(m{"exp": now.Add(5*time.Minute + time.Second).Unix()}), ErrLifetimeExceeded},
		{"exp before iat", with(m{"exp": now.Add(-time.Second).Unix()}), ErrInvalidClaim},
		{"jti missing", with(m{"jti": nil}), ErrMissingClaim},
		{"jti too long", with(m{"jti": strings.Repeat("j", 129)}), ErrInvalidClaim},
		{"jti number", with(m{"jti": 12}), ErrInvalidClaim},
		{"sub missing", with(m{"sub": nil}), ErrMissingClaim},
		{"sub number", with(m{"sub": 42}), ErrInvalidClaim},
		{"sub too long", with(m{"sub": strings.Repeat("s", 257)}), ErrInvalidClaim},
		{"role missing", with(m{"role": nil}), ErrMissingClaim},
		{"role admin", with(m{"role": "admin"}), ErrInvalidClaim},
		{"role in capitals", with(m{"role": "Learner"}), ErrInvalidClaim},
		{"role number", with(m{"role": 1}), ErrInvalidClaim},
		{"cohort missing", with(m{"cohort_id": nil}), ErrMissingClaim},
		{"cohort number", with(m{"cohort_id": 7}), ErrInvalidClaim},
		{"case and case set", with(m{"case_id": "a", "case_set_id": "b"}), ErrInvalidClaim},
		{"name number", with(m{"name": 3}), ErrInvalidClaim},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := newTestVerifier(t, now, testPartner(ES256))

			l, err := v.Verify(context.Background(), tt.token)
			require.Error(t, err)
			assert.Nil(t, l)
			assert.ErrorIs(t, err, tt.wantErr)
			assert.NotEmpty(t, Code(err))
			assert.NotEmpty(t, Hint(err))
			if len(tt.token) > 20 {
				assert.NotContains(t, err.Error(), tt.token[:20], "errors never hold the token")
			}
		})
	}
}

func TestVerifyAcceptsEdges(t *testing.T) {
	now := t0
	tests := []struct {
		name   string
		header string
		claims string
	}{
		{"expired within leeway", goodHeader, launchClaims(now.Add(-89*time.Second), nil)},
		{"issued within leeway in the future", goodHeader, launchClaims(now.Add(29*time.Second), nil)},
		{"nbf within leeway", goodHeader, launchClaims(now, m{"nbf": now.Add(30 * time.Second).Unix()})},
		{"lifetime exactly 5 minutes",
			goodHeader, launchClaims(now, m{"exp": now.Add(5 * time.Minute).Unix()})},
		{"audience array with ours",
			goodHeader, launchClaims(now, m{"aud": raw(`["x","` + testAudience + `"]`)})},
		{"case set instead of case", goodHeader, launchClaims(now, m{"case_set_id": "set-1"})},
		{"instructor", goodHeader, launchClaims(now, m{"role": "instructor"})},
		{"fractional dates", goodHeader, launchClaims(now, m{"iat": raw(fmt.Sprint(now.Unix()) + ".5")})},
		{"unknown claims ignored", goodHeader, launchClaims(now, m{"extra": raw(`{"a":[1,{"b":2}]}`)})},
		{"kid optional with a single key", `{"alg":"ES256","typ":"vap-launch+jwt"}`, launchClaims(now, nil)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := newTestVerifier(t, now, testPartner(ES256))

			_, err := v.Verify(context.Background(), craft(t, ES256, tt.header, tt.claims))
			assert.NoError(t, err)
		})
	}
}

func TestTimeErrorsCarrySkew(t *testing.T) {
	tests := []struct {
		name     string
		claims   string
		wantErr  error
		wantSkew time.Duration
	}{
		{"expired", launchClaims(t0.Add(-3*time.Minute), nil), ErrExpired, 2 * time.Minute},
		{"not yet valid",
			launchClaims(t0, m{"nbf": t0.Add(45 * time.Second).Unix()}), ErrNotYetValid, 45 * time.Second},
		{"issued in future", launchClaims(t0.Add(40*time.Second), nil), ErrIssuedInFuture, 40 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := newTestVerifier(t, t0, testPartner(ES256))

			_, err := v.Verify(context.Background(), craft(t, ES256, goodHeader, tt.claims))
			var te *TimeError
			require.ErrorAs(t, err, &te)
			assert.ErrorIs(t, err, tt.wantErr)
			assert.Equal(t, tt.wantSkew, te.Skew)
			assert.Equal(t, DefaultLeeway, te.Leeway)
			assert.Contains(t, err.Error(), tt.wantSkew.String())
		})
	}
}

func TestKeySelection(t *testing.T) {
	loadTestKeys()
	other, _ := testSigner(EdDSA)
	twoKeys := testPartner(ES256)
	twoKeys.Algorithms = []string{ES256, EdDSA}
	twoKeys.Keys = append(twoKeys.Keys, PublicKey{KeyID: "k2", Key: other.Public()})
	restricted := testPartner(ES256)
	restricted.Algorithms = []string{ES256, EdDSA}
	restricted.Keys[0].Algorithm = ES256

	tests := []struct {
		name    string
		partner Partner
		alg     string
		header  string
		wantErr error
	}{
		{"kid selects the first key", twoKeys, ES256, goodHeader, nil},
		{"kid selects the second key",
			twoKeys, EdDSA, `{"alg":"EdDSA","typ":"vap-launch+jwt","kid":"k2"}`, nil},
		{"kid required with two keys",
			twoKeys, ES256, `{"alg":"ES256","typ":"vap-launch+jwt"}`, ErrKeyNotFound},
		{"key of another type",
			twoKeys, EdDSA, `{"alg":"EdDSA","typ":"vap-launch+jwt","kid":"k1"}`, ErrKeyNotFound},
		{"key restricted to another algorithm",
			restricted, EdDSA, `{"alg":"EdDSA","typ":"vap-launch+jwt","kid":"k1"}`, ErrKeyNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := newTestVerifier(t, t0, tt.partner)

			_, err := v.Verify(context.Background(), craft(t, tt.alg, tt.header, launchClaims(t0, nil)))
			if tt.wantErr == nil {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, tt.wantErr)
			}
		})
	}
}

func TestHS256KeyConfusion(t *testing.T) {
	// An RS256 partner whose public key is used as an HMAC secret: the
	// algorithm is not on the list, and the key would not fit anyway.
	p := testPartner(RS256)
	v := newTestVerifier(t, t0, p)
	tok := craft(t, HS256, `{"alg":"HS256","typ":"vap-launch+jwt","kid":"k1"}`, launchClaims(t0, nil))

	_, err := v.Verify(context.Background(), tok)
	assert.ErrorIs(t, err, ErrAlgorithmNotAllowed)
}

func TestSingleUse(t *testing.T) {
	tests := []struct {
		name    string
		guard   ReplayGuard
		second  bool
		wantErr error
	}{
		{"first use", nil, false, nil},
		{"second use", nil, true, ErrReplayed},
		{"guard cannot answer", failingGuard{}, false, ErrReplayGuardUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := NewVerifier(VerifierConfig{
				Partners: []Partner{testPartner(ES256)}, ReplayGuard: tt.guard, Now: fixedClock(t0),
			})
			require.NoError(t, err)
			tok := mustMint(t, newTestMinter(t, ES256, t0))
			if tt.second {
				_, err := v.Verify(context.Background(), tok)
				require.NoError(t, err)
			}

			_, err = v.Verify(context.Background(), tok)
			if tt.wantErr == nil {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, tt.wantErr)
			}
		})
	}
}

type failingGuard struct{}

func (failingGuard) Consume(context.Context, string, string, time.Time) error {
	return errors.New("database down")
}

type recordingGuard struct {
	issuer, tokenID string
	until           time.Time
}

func (g *recordingGuard) Consume(_ context.Context, issuer, tokenID string, until time.Time) error {
	g.issuer, g.tokenID, g.until = issuer, tokenID, until

	return nil
}

func TestGuardRemembersUntilExpiryPlusLeeway(t *testing.T) {
	g := &recordingGuard{}
	p := testPartner(ES256)
	p.Leeway = 45 * time.Second
	v, err := NewVerifier(VerifierConfig{Partners: []Partner{p}, ReplayGuard: g, Now: fixedClock(t0)})
	require.NoError(t, err)

	l, err := v.Verify(context.Background(), mustMint(t, newTestMinter(t, ES256, t0)))
	require.NoError(t, err)
	assert.Equal(t, testIssuer, g.issuer)
	assert.Equal(t, l.TokenID, g.tokenID)
	assert.Equal(t, l.ExpiresAt.Add(45*time.Second), g.until)
}

func TestVerifyUnconsumedLeavesTheTokenUnused(t *testing.T) {
	v := newTestVerifier(t, t0, testPartner(ES256))
	tok := mustMint(t, newTestMinter(t, ES256, t0))

	for range 2 {
		_, err := v.VerifyUnconsumed(context.Background(), tok)
		require.NoError(t, err)
	}

	_, err := v.Verify(context.Background(), tok)
	assert.NoError(t, err)
}

func TestConcurrentPresentationsSucceedOnce(t *testing.T) {
	v := newTestVerifier(t, t0, testPartner(ES256))
	tok := mustMint(t, newTestMinter(t, ES256, t0))

	var ok, replayed atomic.Int32
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			_, err := v.Verify(context.Background(), tok)
			switch {
			case err == nil:
				ok.Add(1)
			case errors.Is(err, ErrReplayed):
				replayed.Add(1)
			}
		})
	}
	wg.Wait()

	assert.Equal(t, int32(1), ok.Load())
	assert.Equal(t, int32(49), replayed.Load())
}

func TestAPICredentials(t *testing.T) {
	m := newTestMinter(t, ES256, t0)
	apiTok, err := m.MintAPICredential(context.Background(), testAPIAudience)
	require.NoError(t, err)
	launchTok := mustMint(t, m)
	noAPI := testPartner(ES256)
	noAPI.APIAudience = ""

	tests := []struct {
		name    string
		partner Partner
		token   string
		api     bool
		wantErr error
	}{
		{"API credential accepted", testPartner(ES256), apiTok, true, nil},
		{"launch token refused as API credential", testPartner(ES256), launchTok, true, ErrType},
		{"API credential refused as launch token", testPartner(ES256), apiTok, false, ErrType},
		{"partner without API audience", noAPI, apiTok, true, ErrAudience},
		{"launch audience in API credential", testPartner(ES256), craft(t, ES256,
			`{"alg":"ES256","typ":"vap-api+jwt","kid":"k1"}`, launchClaims(t0, nil)), true, ErrAudience},
		{"API credential too long-lived", testPartner(ES256), craft(t, ES256,
			`{"alg":"ES256","typ":"vap-api+jwt","kid":"k1"}`, launchClaims(t0, map[string]any{
				"aud": testAPIAudience, "exp": t0.Add(6 * time.Minute).Unix(),
			})), true, ErrLifetimeExceeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := newTestVerifier(t, t0, tt.partner)

			if tt.api {
				cred, err := v.VerifyAPICredential(context.Background(), tt.token)
				if tt.wantErr != nil {
					assert.ErrorIs(t, err, tt.wantErr)
					return
				}

				require.NoError(t, err)
				assert.Equal(t, "lms", cred.PartnerID)
				assert.Equal(t, testIssuer, cred.Issuer)
				assert.NotEmpty(t, cred.TokenID)
				assert.Equal(t, t0.Add(DefaultTTL), cred.ExpiresAt)

				return
			}

			_, err := v.Verify(context.Background(), tt.token)
			assert.ErrorIs(t, err, tt.wantErr)
		})
	}
}

func TestSeveralPartners(t *testing.T) {
	a := testPartner(ES256)
	b := testPartner(EdDSA)
	b.ID, b.Issuer = "hospital", "https://hospital.example.org"
	v := newTestVerifier(t, t0, a, b)

	mb, err := NewMinter(MinterConfig{
		Issuer: b.Issuer, Audience: testAudience, Algorithm: EdDSA, Signer: edKey, Now: fixedClock(t0),
	})
	require.NoError(t, err)

	l, err := v.Verify(context.Background(), mustMint(t, mb))
	require.NoError(t, err)
	assert.Equal(t, "hospital", l.PartnerID)

	// Partner b's key does not verify a token claiming partner a.
	forged := craft(t, EdDSA, `{"alg":"EdDSA","typ":"vap-launch+jwt","kid":"k1"}`, launchClaims(t0, nil))
	_, err = v.Verify(context.Background(), forged)
	assert.ErrorIs(t, err, ErrAlgorithmNotAllowed)
}

func TestNewVerifierRejectsIncompleteConfig(t *testing.T) {
	loadTestKeys()
	small, err := testRSA1024()
	require.NoError(t, err)

	edit := func(f func(*Partner)) []Partner {
		p := testPartner(ES256)
		f(&p)
		return []Partner{p}
	}
	tests := []struct {
		name     string
		partners []Partner
	}{
		{"no partner", nil},
		{"empty id", edit(func(p *Partner) { p.ID = "" })},
		{"empty issuer", edit(func(p *Partner) { p.Issuer = "" })},
		{"empty audience", edit(func(p *Partner) { p.Audience = "" })},
		{"empty algorithm list", edit(func(p *Partner) { p.Algorithms = nil })},
		{"algorithm none", edit(func(p *Partner) { p.Algorithms = []string{"none"} })},
		{"unsupported algorithm", edit(func(p *Partner) { p.Algorithms = []string{"HS512"} })},
		{"no key", edit(func(p *Partner) { p.Keys = nil })},
		{"key fits no algorithm", edit(func(p *Partner) { p.Algorithms = []string{RS256} })},
		{"RSA key below 2048 bits", edit(func(p *Partner) {
			p.Algorithms = []string{RS256}
			p.Keys = []PublicKey{{KeyID: "k1", Key: &small.PublicKey}}
		})},
		{"short HMAC secret", edit(func(p *Partner) {
			p.Algorithms = []string{HS256}
			p.Keys = []PublicKey{{KeyID: "k1", Key: []byte("short")}}
		})},
		{"two keys, one without kid", edit(func(p *Partner) {
			p.Keys = append(p.Keys, PublicKey{Key: ecKey.Public()})
		})},
		{"duplicate kid", edit(func(p *Partner) { p.Keys = append(p.Keys, p.Keys[0]) })},
		{"static key without kid beside a JWKS URL", edit(func(p *Partner) {
			p.Keys[0].KeyID = ""
			p.JWKSURL = "http://127.0.0.1:1/jwks"
		})},
		{"key restricted to an unlisted algorithm", edit(func(p *Partner) { p.Keys[0].Algorithm = EdDSA })},
		{"lifetime above 5 minutes", edit(func(p *Partner) { p.MaxLifetime = 6 * time.Minute })},
		{"negative lifetime", edit(func(p *Partner) { p.MaxLifetime = -time.Second })},
		{"leeway above 2 minutes", edit(func(p *Partner) { p.Leeway = 3 * time.Minute })},
		{"negative leeway", edit(func(p *Partner) { p.Leeway = -time.Second })},
		{"plain http JWKS URL", edit(func(p *Partner) { p.JWKSURL = "http://keys.example.com/jwks" })},
		{"JWKS URL without host", edit(func(p *Partner) { p.JWKSURL = "https:///jwks" })},
		{"same issuer twice", append(edit(func(*Partner) {}), edit(func(p *Partner) { p.ID = "b" })...)},
		{"same id twice", append(edit(func(*Partner) {}), edit(func(p *Partner) { p.Issuer = "b" })...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := NewVerifier(VerifierConfig{Partners: tt.partners})
			assert.Nil(t, v)
			assert.ErrorIs(t, err, ErrConfig)
		})
	}
}

func TestPartnerWindowDefaults(t *testing.T) {
	tests := []struct {
		name         string
		lifetime     time.Duration
		leeway       time.Duration
		wantLifetime time.Duration
		wantLeeway   time.Duration
	}{
		{"defaults", 0, 0, MaxLifetime, DefaultLeeway},
		{"explicit", time.Minute, 2 * time.Minute, time.Minute, 2 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lifetime, leeway, err := checkWindow(tt.lifetime, tt.leeway, MaxLifetime)
			require.NoError(t, err)
			assert.Equal(t, tt.wantLifetime, lifetime)
			assert.Equal(t, tt.wantLeeway, leeway)
		})
	}
}

func TestVerifyRefusesNullWhereAStringBelongs(t *testing.T) {
	hdr := func(header string) string { return craft(t, ES256, header, launchClaims(t0, nil)) }
	claims := func(name string) string {
		return craft(t, ES256, goodHeader, launchClaims(t0, m{name: raw("null")}))
	}

	tests := []struct {
		name    string
		token   string
		wantErr error
	}{
		{"iss", claims("iss"), ErrInvalidClaim},
		{"sub", claims("sub"), ErrInvalidClaim},
		{"aud", claims("aud"), ErrInvalidClaim},
		{"jti", claims("jti"), ErrInvalidClaim},
		{"name", claims("name"), ErrInvalidClaim},
		{"role", claims("role"), ErrInvalidClaim},
		{"cohort_id", claims("cohort_id"), ErrInvalidClaim},
		{"case_id", claims("case_id"), ErrInvalidClaim},
		{"case_set_id", claims("case_set_id"), ErrInvalidClaim},
		{"iat", claims("iat"), ErrInvalidClaim},
		{"nbf", claims("nbf"), ErrInvalidClaim},
		// Header parameters of the wrong type make the token malformed,
		// as a number in their place does.
		{"kid header", hdr(`{"alg":"ES256","typ":"vap-launch+jwt","kid":null}`), ErrMalformed},
		{"typ header", hdr(`{"alg":"ES256","typ":null,"kid":"k1"}`), ErrMalformed},
		{"alg header", hdr(`{"alg":null,"typ":"vap-launch+jwt","kid":"k1"}`), ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := newTestVerifier(t, t0, testPartner(ES256))

			_, err := v.Verify(context.Background(), tt.token)
			require.ErrorIs(t, err, tt.wantErr)
			assert.Contains(t, err.Error(), "wrong type")
			assert.Contains(t, err.Error(), `"`+strings.TrimSuffix(tt.name, " header")+`"`)
		})
	}
}

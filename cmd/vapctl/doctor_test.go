package main

import (
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// jwksServer serves the test JWKS file over loopback HTTP.
func jwksServer(t *testing.T) *httptest.Server {
	t.Helper()
	body, err := os.ReadFile(testJWKSFile)
	require.NoError(t, err)

	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/jwk-set+json")
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)

	return srv
}

func findCheck(t *testing.T, rep doctorReport, id string) checkResult {
	t.Helper()
	for _, c := range rep.Checks {
		if c.ID == id {
			return c
		}
	}

	require.Failf(t, "check missing", "no check %q", id)

	return checkResult{}
}

func TestDoctor(t *testing.T) {
	srv := jwksServer(t)
	sources := []struct {
		name string
		args []string
	}{
		{"jwks file", []string{"--jwks-file", testJWKSFile}},
		{"jwks url", []string{"--jwks-url", srv.URL}},
	}
	tests := []struct {
		name     string
		mintedAt time.Time
		extra    []string
		aud      string
		wantCode string
		// failing is the check the verifier stopped at.
		failing  string
		wantSkew float64
		// skewFrom is where the skew comes from.
		skewFrom string
	}{
		{name: "valid token", mintedAt: t0.Add(-5 * time.Second), aud: testAudience,
			wantSkew: -5, skewFrom: sourceDecoded},
		{name: "expired token", mintedAt: t0.Add(-10 * time.Minute), aud: testAudience,
			wantCode: "token_expired", failing: "exp", wantSkew: 540, skewFrom: sourceVerifier},
		{name: "wrong audience", mintedAt: t0, aud: "https://vap.example.com/other",
			wantCode: "audience_invalid", failing: "audience", wantSkew: 0, skewFrom: sourceDecoded},
		{name: "unknown kid", mintedAt: t0, aud: testAudience, extra: []string{"--kid", "retired-2025"},
			wantCode: "key_not_found", failing: "key", wantSkew: 0, skewFrom: sourceDecoded},
		{name: "clock 90s ahead", mintedAt: t0.Add(90 * time.Second), aud: testAudience,
			wantCode: "token_issued_in_future", failing: "iat", wantSkew: 90, skewFrom: sourceVerifier},
	}
	for _, src := range sources {
		for _, tt := range tests {
			t.Run(src.name+"/"+tt.name, func(t *testing.T) {
				token := mintAt(t, tt.mintedAt, tt.extra...)
				e := envAt(t0)
				e.httpClient = srv.Client()
				args := append([]string{"doctor", "--json", "--iss", testIssuer, "--aud", tt.aud},
					src.args...)

				r := vapctl(e, token, args...)
				rep := decodeJSON[doctorReport](t, r.stdout)

				assert.False(t, rep.Consumed)
				assert.NotContains(t, r.stdout, token)
				assert.NotContains(t, r.stdout, testSubject)
				require.NotNil(t, rep.Skew)
				assert.InDelta(t, tt.wantSkew, rep.Skew.Seconds, 0.001)
				assert.Equal(t, tt.skewFrom, rep.Skew.Source)
				if tt.wantCode == "" {
					assert.Equal(t, exitOK, r.code, r.stderr)
					assert.True(t, rep.Valid)
					assert.Nil(t, rep.Error)
					for _, c := range rep.Checks {
						assert.Equal(t, statusPass, c.Status, c.ID)
						assert.Equal(t, sourceVerifier, c.Source, c.ID)
					}

					return
				}

				assert.Equal(t, exitFailure, r.code)
				assert.False(t, rep.Valid)
				require.NotNil(t, rep.Error)
				assert.Equal(t, tt.wantCode, rep.Error.Code)
				failed := findCheck(t, rep, tt.failing)
				assert.Equal(t, statusFail, failed.Status)
				assert.Equal(t, sourceVerifier, failed.Source)
				assert.NotEmpty(t, failed.Fix)
			})
		}
	}
}

func TestDoctorText(t *testing.T) {
	tests := []struct {
		name     string
		mintedAt time.Time
		want     []string
		code     int
	}{
		{name: "valid", mintedAt: t0, code: exitOK,
			want: []string{"verdict: PASS", "PASS  signature", "not consumed"}},
		{name: "90s ahead", mintedAt: t0.Add(90 * time.Second), code: exitFailure,
			want: []string{
				"verdict: FAIL (token_issued_in_future)",
				"clock skew: iat lies 1m30s ahead of this clock, beyond the leeway of 30s [verifier]",
				"FAIL  iat", "fix: synchronise the server clock (NTP)",
				"PASS  exp", "[decoded]",
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			token := mintAt(t, tt.mintedAt)
			r := vapctl(envAt(t0), token, "doctor", "--jwks-file", testJWKSFile,
				"--iss", testIssuer, "--aud", testAudience)

			assert.Equal(t, tt.code, r.code, r.stderr)
			for _, w := range tt.want {
				assert.Contains(t, r.stdout, w)
			}

			assert.NotContains(t, r.stdout, token)
		})
	}
}

// TestDoctorBreakdown covers how the lines around the failing check are
// established: by the probe verifier or from the decoded token.
func TestDoctorBreakdown(t *testing.T) {
	otherKey := tempPath(t, "other.pem")
	r := vapctl(envAt(t0), "", "keygen", "--out", otherKey, "--jwks-out", tempPath(t, "o.json"))
	require.Equal(t, exitOK, r.code, r.stderr)

	tests := []struct {
		name   string
		token  func(t *testing.T) string
		iss    string
		checks map[string][2]string
	}{
		{name: "wrong issuer, good signature", token: func(t *testing.T) string { return mintAt(t, t0) },
			iss: "https://other.example.org",
			checks: map[string][2]string{
				"issuer":    {statusFail, sourceVerifier},
				"signature": {statusPass, sourceProbe},
				"audience":  {statusPass, sourceDecoded},
			}},
		{name: "wrong issuer, wrong key", iss: "https://other.example.org",
			token: func(t *testing.T) string {
				return mintAt(t, t0, "--kid", "6ztdJQXrmbQDENq9jvR43_J7gbrNWiTab_7nsguuqkA")
			},
			checks: map[string][2]string{"issuer": {statusFail, sourceVerifier}}},
		{name: "bad signature", iss: testIssuer,
			token: func(t *testing.T) string {
				r := vapctl(envAt(t0), "", "mint", "--key", otherKey, "--kid",
					"6ztdJQXrmbQDENq9jvR43_J7gbrNWiTab_7nsguuqkA", "--iss", testIssuer,
					"--aud", testAudience, "--sub", "s", "--cohort", "c")
				require.Equal(t, exitOK, r.code, r.stderr)

				return r.stdout
			},
			checks: map[string][2]string{
				"key":       {statusPass, sourceVerifier},
				"signature": {statusFail, sourceVerifier},
				"exp":       {statusPass, sourceDecoded},
			}},
		{name: "malformed", iss: testIssuer, token: func(*testing.T) string { return "not.a-token" },
			checks: map[string][2]string{
				"structure": {statusFail, sourceVerifier},
				"signature": {statusSkip, sourceProbe},
				"issuer":    {statusSkip, sourceDecoded},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := vapctl(envAt(t0), tt.token(t), "doctor", "--json", "--jwks-file", testJWKSFile,
				"--iss", tt.iss, "--aud", testAudience)

			assert.Equal(t, exitFailure, r.code)
			rep := decodeJSON[doctorReport](t, r.stdout)
			for id, want := range tt.checks {
				c := findCheck(t, rep, id)
				assert.Equal(t, want, [2]string{c.Status, c.Source}, id)
			}
		})
	}
}

func TestDoctorUsage(t *testing.T) {
	token := mintAt(t, t0)
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"no key source", []string{"doctor", "--iss", testIssuer, "--aud", testAudience}, exitUsage},
		{"two key sources", []string{"doctor", "--jwks-file", testJWKSFile, "--jwks-url",
			"https://x.example", "--iss", testIssuer, "--aud", testAudience}, exitUsage},
		{"no issuer", []string{"doctor", "--jwks-file", testJWKSFile, "--aud", testAudience}, exitUsage},
		{"unknown flag", []string{"doctor", "--strict"}, exitUsage},
		{"two tokens", []string{"doctor", "--jwks-file", testJWKSFile, "--iss", testIssuer,
			"--aud", testAudience, "a", "b"}, exitUsage},
		{"missing JWKS file", []string{"doctor", "--jwks-file", "testdata/none.json",
			"--iss", testIssuer, "--aud", testAudience}, exitFailure},
		// The verifier refuses to fetch keys over plain http from a host
		// other than loopback, so the flag's value is invalid.
		{"plain http JWKS URL", []string{"doctor", "--jwks-url", "http://jwks.example.com/k",
			"--iss", testIssuer, "--aud", testAudience}, exitUsage},
		{"help", []string{"doctor", "--help"}, exitOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := vapctl(envAt(t0), token, tt.args...)

			assert.Equal(t, tt.code, r.code, r.stderr)
			assert.NotContains(t, r.stdout+r.stderr, token)
		})
	}
}

// TestDoctorWhitespace checks that doctor sees the token as VAP does: an
// argument is never trimmed, and from standard input only one final
// newline is dropped. A token with any other whitespace fails the
// structure check with a fix saying to remove it.
func TestDoctorWhitespace(t *testing.T) {
	token := mintAt(t, t0)
	tests := []struct {
		name  string
		stdin string
		arg   []string
		valid bool
		where string
	}{
		{name: "argument as minted", arg: []string{token}, valid: true},
		{name: "stdin with a final newline", stdin: token + "\n", valid: true},
		{name: "stdin with a final CRLF", stdin: token + "\r\n", valid: true},
		{name: "stdin without a newline", stdin: token, valid: true},
		{name: "argument with spaces and a newline", arg: []string{" " + token + "\n"},
			where: "1 leading, 1 trailing"},
		{name: "argument with a final newline", arg: []string{token + "\n"}, where: "1 trailing"},
		{name: "stdin with two final newlines", stdin: token + "\n\n", where: "1 trailing"},
		{name: "stdin with a leading space", stdin: " " + token + "\n", where: "1 leading"},
		{name: "stdin with a final space", stdin: token + " \n", where: "1 trailing"},
		{name: "stdin with a tab inside", stdin: token[:20] + "\t" + token[20:], where: "1 inside"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"doctor", "--json", "--jwks-file", testJWKSFile,
				"--iss", testIssuer, "--aud", testAudience}, tt.arg...)
			r := vapctl(envAt(t0), tt.stdin, args...)
			rep := decodeJSON[doctorReport](t, r.stdout)
			structure := findCheck(t, rep, "structure")
			if tt.valid {
				assert.Equal(t, exitOK, r.code, r.stdout)
				assert.True(t, rep.Valid)
				assert.Equal(t, statusPass, structure.Status)

				return
			}

			assert.Equal(t, exitFailure, r.code)
			assert.False(t, rep.Valid)
			require.NotNil(t, rep.Error)
			assert.Equal(t, "token_malformed", rep.Error.Code)
			assert.Equal(t, whitespaceFix, rep.Error.Hint)
			assert.Equal(t, statusFail, structure.Status)
			assert.Equal(t, sourceVerifier, structure.Source)
			assert.Contains(t, structure.Detail, "("+tt.where+")")
			assert.Equal(t, whitespaceFix, structure.Fix)
			assert.Contains(t, structure.Fix, "remove the spaces/newlines around the token")
			assert.NotContains(t, r.stdout, token[len(token)-20:])
		})
	}

	t.Run("text", func(t *testing.T) {
		r := vapctl(envAt(t0), "", "doctor", "--jwks-file", testJWKSFile,
			"--iss", testIssuer, "--aud", testAudience, " "+token+"\n")

		assert.Equal(t, exitFailure, r.code)
		assert.Contains(t, r.stdout, "verdict: FAIL (token_malformed)")
		assert.Contains(t, r.stdout, "FAIL  structure     spaces or newlines in the token")
		assert.Contains(t, r.stdout, "fix: remove the spaces/newlines around the token")
	})

	t.Run("inspect", func(t *testing.T) {
		r := vapctl(envAt(t0), "", "inspect", token+" ")

		assert.Equal(t, exitFailure, r.code)
		assert.Contains(t, r.stderr, "vapctl inspect: malformed token: spaces or newlines "+
			"in the token (1 trailing); remove the spaces/newlines around the token")
	})
}

// TestDoctorAPICredential checks partner API credentials with --api, as
// the reporting API does with launch.Verifier.VerifyAPICredential.
func TestDoctorAPICredential(t *testing.T) {
	srv := jwksServer(t)
	tests := []struct {
		name     string
		token    func(t *testing.T) string
		api      bool
		aud      string
		wantCode string
		failing  string
		fix      string
	}{
		{name: "valid", api: true, aud: testAPIAudience,
			token: func(t *testing.T) string {
				return mintAPIAt(t, t0.Add(-5*time.Second), testAPIAudience)
			}},
		{name: "launch audience", api: true, aud: testAPIAudience,
			token:    func(t *testing.T) string { return mintAPIAt(t, t0, testAudience) },
			wantCode: "audience_invalid", failing: "audience"},
		{name: "expired", api: true, aud: testAPIAudience,
			token: func(t *testing.T) string {
				return mintAPIAt(t, t0.Add(-10*time.Minute), testAPIAudience)
			},
			wantCode: "token_expired", failing: "exp"},
		{name: "a launch token", api: true, aud: testAPIAudience,
			token:    func(t *testing.T) string { return mintAt(t, t0) },
			wantCode: "token_type_invalid", failing: "header.typ",
			fix: "this is a launch token: check it without --api"},
		{name: "without --api", aud: testAudience,
			token:    func(t *testing.T) string { return mintAPIAt(t, t0, testAPIAudience) },
			wantCode: "token_type_invalid", failing: "header.typ",
			fix: "this is an API credential: check it with --api"},
	}
	for _, src := range [][]string{{"--jwks-file", testJWKSFile}, {"--jwks-url", srv.URL}} {
		for _, tt := range tests {
			t.Run(src[0]+"/"+tt.name, func(t *testing.T) {
				token := tt.token(t)
				e := envAt(t0)
				e.httpClient = srv.Client()
				args := append([]string{"doctor", "--json", "--iss", testIssuer, "--aud", tt.aud},
					src...)
				if tt.api {
					args = append(args, "--api")
				}

				r := vapctl(e, token, args...)
				rep := decodeJSON[doctorReport](t, r.stdout)
				assert.NotContains(t, r.stdout, token)
				wantKind := kindLaunch
				if tt.api {
					wantKind = kindAPICredential
				}

				assert.Equal(t, wantKind, rep.Kind)
				if tt.wantCode == "" {
					assert.Equal(t, exitOK, r.code, r.stdout)
					assert.True(t, rep.Valid)
					ids := make([]string, 0, len(rep.Checks))
					for _, c := range rep.Checks {
						ids = append(ids, c.ID)
						assert.Equal(t, statusPass, c.Status, c.ID)
						assert.Equal(t, sourceVerifier, c.Source, c.ID)
					}

					assert.Equal(t, []string{"size", "structure", "header.alg", "header.typ",
						"header.params", "header.kid", "claim.types", "issuer", "alg.allowed",
						"key", "signature", "audience", "exp", "nbf", "iat", "lifetime", "jti"}, ids)

					return
				}

				assert.Equal(t, exitFailure, r.code)
				require.NotNil(t, rep.Error)
				assert.Equal(t, tt.wantCode, rep.Error.Code)
				failed := findCheck(t, rep, tt.failing)
				assert.Equal(t, statusFail, failed.Status)
				assert.Equal(t, sourceVerifier, failed.Source)
				assert.NotEmpty(t, failed.Fix)
				assert.Contains(t, failed.Fix, tt.fix)
				assert.Contains(t, rep.Error.Hint, tt.fix)
			})
		}
	}

	t.Run("text", func(t *testing.T) {
		r := vapctl(envAt(t0), mintAPIAt(t, t0, testAPIAudience), "doctor", "--api",
			"--jwks-file", testJWKSFile, "--iss", testIssuer, "--aud", testAPIAudience)

		assert.Equal(t, exitOK, r.code, r.stdout)
		assert.Contains(t, r.stdout,
			"API credential checked with launch.Verifier.VerifyAPICredential")
		assert.Contains(t, r.stdout, "verdict: PASS")
		assert.Contains(t, r.stdout, "PASS  signature")
		assert.NotContains(t, r.stdout, "claim.cohort")
	})
}

// TestDoctorNoCase checks what doctor says of a launch naming no case: VAP
// picks the cohort's single open assignment, or answers 422.
func TestDoctorNoCase(t *testing.T) {
	r := vapctl(envAt(t0), "", "mint", "--key", testKeyFile, "--iss", testIssuer,
		"--aud", testAudience, "--sub", testSubject, "--cohort", "cohort-2026")
	require.Equal(t, exitOK, r.code, r.stderr)

	d := vapctl(envAt(t0), r.stdout, "doctor", "--json", "--jwks-file", testJWKSFile,
		"--iss", testIssuer, "--aud", testAudience)
	require.Equal(t, exitOK, d.code, d.stdout)
	c := findCheck(t, decodeJSON[doctorReport](t, d.stdout), "claim.case")
	assert.Equal(t, statusPass, c.Status)
	assert.Contains(t, c.Detail, "single open assignment")
	assert.Contains(t, c.Detail, "422")
	assert.NotContains(t, c.Detail, "the learner picks")
}

// doctorJSON runs doctor --json on token with the test JWKS file at t0.
func doctorJSON(t *testing.T, token string, extra ...string) (result, doctorReport) {
	t.Helper()
	args := append([]string{"doctor", "--json", "--jwks-file", testJWKSFile,
		"--iss", testIssuer, "--aud", testAudience}, extra...)
	r := vapctl(envAt(t0), token, args...)

	return r, decodeJSON[doctorReport](t, r.stdout)
}

// TestDoctorClaimValues checks that a claim whose value the verifier
// refuses fails on that claim's own check, after the key and signature
// passed, and that the checks after it still show a second problem.
func TestDoctorClaimValues(t *testing.T) {
	otherKey := tempPath(t, "other.pem")
	r := vapctl(envAt(t0), "", "keygen", "--out", otherKey, "--jwks-out", tempPath(t, "o.json"))
	require.Equal(t, exitOK, r.code, r.stderr)

	type line = [2]string
	tests := []struct {
		name    string
		keyFile string
		edits   map[string]any
		failing string
		detail  string
		fix     string
		checks  map[string]line
	}{
		{name: "sub an e-mail address", edits: map[string]any{"sub": "jane.doe@hospital.org"},
			failing: "claim.sub", detail: "sub is shaped like an e-mail address",
			fix: "pseudonymous user id",
			checks: map[string]line{
				"claim.types": {statusPass, sourceVerifier},
				"key":         {statusPass, sourceVerifier},
				"signature":   {statusPass, sourceVerifier},
				"claim.case":  {statusPass, sourceDecoded},
			}},
		{name: "sub an e-mail address and case_id not a slug",
			edits:   map[string]any{"sub": "jane.doe@hospital.org", "case_id": "Chest Pain"},
			failing: "claim.sub", detail: "sub is shaped like an e-mail address",
			checks: map[string]line{
				"signature":  {statusPass, sourceVerifier},
				"claim.case": {statusFail, sourceDecoded},
			}},
		{name: "sub an e-mail address and a bad signature", keyFile: otherKey,
			edits:   map[string]any{"sub": "jane.doe@hospital.org"},
			failing: "signature",
			checks: map[string]line{
				"key":       {statusPass, sourceVerifier},
				"claim.sub": {statusFail, sourceDecoded},
			}},
		{name: "sub a dot segment", edits: map[string]any{"sub": ".."},
			failing: "claim.sub", detail: "sub is a dot segment"},
		{name: "cohort_id with a zero-width space", edits: map[string]any{"cohort_id": "c\u200b1"},
			failing: "claim.cohort", detail: "cohort_id holds a format character",
			fix: "fix the type or value of the claim"},
		{name: "name with a bidirectional override", edits: map[string]any{"name": "Ada\u202eX"},
			failing: "claim.name", detail: "name holds a bidirectional control character"},
		{name: "name with a control character", edits: map[string]any{"name": "Ada\u0007"},
			failing: "claim.name", detail: "name holds a control character"},
		{name: "case_id not a slug", edits: map[string]any{"case_id": "Chest Pain"},
			failing: "claim.case", detail: "case_id is not a slug"},
		{name: "case_set_id not a slug", edits: map[string]any{"case_id": nil, "case_set_id": "A"},
			failing: "claim.case", detail: "case_set_id is not a slug"},
		{name: "jti only white space", edits: map[string]any{"jti": "   "},
			failing: "jti", detail: "jti is only white space"},
		{name: "jti with a control character", edits: map[string]any{"jti": "a\tb"},
			failing: "jti", detail: "jti holds a control character"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keyFile := tt.keyFile
			if keyFile == "" {
				keyFile = testKeyFile
			}

			r, rep := doctorJSON(t, craftToken(t, keyFile, tt.edits))

			assert.Equal(t, exitFailure, r.code, r.stdout)
			require.NotNil(t, rep.Error)
			failed := findCheck(t, rep, tt.failing)
			assert.Equal(t, line{statusFail, sourceVerifier}, line{failed.Status, failed.Source})
			assert.Contains(t, failed.Detail, tt.detail)
			assert.Contains(t, failed.Fix, tt.fix)
			for _, c := range rep.Checks {
				if c.Status == statusFail && c.Source == sourceVerifier {
					assert.Equal(t, tt.failing, c.ID, "one check fails at the verifier")
				}
			}

			for id, want := range tt.checks {
				c := findCheck(t, rep, id)
				assert.Equal(t, want, line{c.Status, c.Source}, id)
			}

			assert.NotContains(t, r.stdout, "jane.doe")
		})
	}
}

// TestDoctorLifetimeFix checks the fix of a token whose exp is not after
// its iat, from the verifier and from the decoded token: no lifetime
// limit explains it.
func TestDoctorLifetimeFix(t *testing.T) {
	tests := []struct {
		name   string
		edits  map[string]any
		source string
	}{
		{name: "exp before iat", edits: map[string]any{"exp": t0.Add(-10 * time.Second).Unix()},
			source: sourceVerifier},
		{name: "exp equal to iat", edits: map[string]any{"exp": t0.Unix()}, source: sourceVerifier},
		{name: "expired, and exp before iat", source: sourceDecoded, edits: map[string]any{
			"iat": t0.Add(-9 * time.Minute).Unix(), "exp": t0.Add(-10 * time.Minute).Unix(),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, rep := doctorJSON(t, craftToken(t, testKeyFile, tt.edits))

			assert.Equal(t, exitFailure, r.code, r.stdout)
			c := findCheck(t, rep, "lifetime")
			assert.Equal(t, [2]string{statusFail, tt.source}, [2]string{c.Status, c.Source})
			assert.Equal(t, "exp is not after iat", c.Detail)
			assert.Contains(t, c.Fix, "exp must be after iat")
			assert.NotContains(t, c.Fix, "at most the configured maximum")
		})
	}
}

// TestDoctorKeyPublishedForAnotherAlgorithm checks doctor on a token signed
// RS256 with a key keygen made for PS256: the fix says that the kid is
// published, for which algorithm, and how to fix either side.
func TestDoctorKeyPublishedForAnotherAlgorithm(t *testing.T) {
	keyFile, jwksFile := rsaKeyFiles(t, "PS256")
	m := vapctl(envAt(t0), "", "mint", "--key", keyFile, "--alg", "RS256", "--iss", testIssuer,
		"--aud", testAudience, "--sub", testSubject, "--cohort", "c")
	require.Equal(t, exitOK, m.code, m.stderr)
	body, err := os.ReadFile(jwksFile)
	require.NoError(t, err)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)

	const published = "the token is signed RS256 but the key with this kid is published for PS256"
	tests := []struct {
		name string
		src  []string
		fix  string
	}{
		{name: "jwks file", src: []string{"--jwks-file", jwksFile},
			fix: published + "; sign with PS256 (vapctl mint --alg PS256) or publish the key " +
				"for RS256 (vapctl jwks --alg RS256)"},
		{name: "jwks url", src: []string{"--jwks-url", srv.URL},
			fix: published + "; sign with PS256 or publish the key for RS256"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"doctor", "--json", "--iss", testIssuer, "--aud", testAudience},
				tt.src...)
			r := vapctl(envAt(t0), m.stdout, args...)

			assert.Equal(t, exitFailure, r.code, r.stdout)
			rep := decodeJSON[doctorReport](t, r.stdout)
			require.NotNil(t, rep.Error)
			assert.Equal(t, "key_not_found", rep.Error.Code)
			assert.Contains(t, rep.Error.Message, "published for PS256, not RS256")
			assert.Equal(t, tt.fix, rep.Error.Hint)
			key := findCheck(t, rep, "key")
			assert.Equal(t, statusFail, key.Status)
			assert.Equal(t, tt.fix, key.Fix)
			assert.NotContains(t, key.Fix, "set kid to a key published")
		})
	}
}

// TestDoctorJWKSFetchCause checks that a JWKS URL that cannot be fetched
// fails the key check with the cause: the HTTP status, the network error,
// or why the body is not a JWK Set, never the body itself.
func TestDoctorJWKSFetchCause(t *testing.T) {
	serve := func(status int, body string) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(status)
			_, _ = w.Write([]byte(body))
		}))
		t.Cleanup(srv.Close)

		return srv.URL
	}
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()

	const secret = "body-text-that-is-never-shown"
	tests := []struct {
		name string
		url  string
		want string
	}{
		{name: "404", url: serve(http.StatusNotFound, secret),
			want: "the JWKS URL answered HTTP 404 Not Found, want 200 OK"},
		{name: "500", url: serve(http.StatusInternalServerError, secret),
			want: "the JWKS URL answered HTTP 500 Internal Server Error, want 200 OK"},
		{name: "connection refused", url: closed.URL, want: "network error: dial tcp"},
		{name: "not JSON", url: serve(http.StatusOK, "<html>"+secret+"</html>"),
			want: `JWK Set response: not a JSON object with a "keys" array`},
		{name: "no usable key", url: serve(http.StatusOK, `{"keys":[]}`),
			want: "JWK Set holds no usable signing key"},
		{name: "too large", url: serve(http.StatusOK, strings.Repeat(secret, 20000)),
			want: "JWK Set response too large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := vapctl(envAt(t0), mintAt(t, t0), "doctor", "--json", "--jwks-url", tt.url,
				"--iss", testIssuer, "--aud", testAudience)

			assert.Equal(t, exitFailure, r.code, r.stdout)
			rep := decodeJSON[doctorReport](t, r.stdout)
			require.NotNil(t, rep.Error)
			assert.Equal(t, "key_set_unavailable", rep.Error.Code)
			assert.Contains(t, rep.Error.Message, tt.want)
			key := findCheck(t, rep, "key")
			assert.Equal(t, [2]string{statusFail, sourceVerifier}, [2]string{key.Status, key.Source})
			assert.True(t, strings.HasPrefix(key.Detail, "launch: key set unavailable: "), key.Detail)
			assert.Contains(t, key.Detail, tt.want)
			assert.LessOrEqual(t, len(key.Detail), 300)
			assert.NotContains(t, r.stdout, secret)
		})
	}
}

// silentServer accepts connections and never answers.
func silentServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}

			conns = append(conns, c)
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		<-done
		for _, c := range conns {
			_ = c.Close()
		}
	})

	return "http://" + ln.Addr().String() + "/jwks.json"
}

// TestDoctorTimeoutBoundsTheRun checks that --timeout bounds the whole run
// against a JWKS URL that never answers, with the verifier and the probe
// verifier both waiting for keys, and that the report says so.
func TestDoctorTimeoutBoundsTheRun(t *testing.T) {
	const timeout = 600 * time.Millisecond
	url := silentServer(t)
	tests := []struct {
		name string
		iss  string
		// check is the line that waited for the keys.
		check, source string
	}{
		{name: "verifier waits", iss: testIssuer, check: "key", source: sourceVerifier},
		{name: "probe waits", iss: "https://other.example.org", check: "key", source: sourceProbe},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			r := vapctl(envAt(t0), mintAt(t, t0), "doctor", "--json", "--timeout", timeout.String(),
				"--jwks-url", url, "--iss", tt.iss, "--aud", testAudience)
			elapsed := time.Since(start)

			assert.Equal(t, exitFailure, r.code, r.stdout)
			assert.Less(t, elapsed, timeout+timeout/2, "the run is bounded by --timeout")
			rep := decodeJSON[doctorReport](t, r.stdout)
			c := findCheck(t, rep, tt.check)
			assert.Equal(t, [2]string{statusFail, tt.source}, [2]string{c.Status, c.Source})
			assert.Contains(t, c.Detail, "the JWKS URL did not answer within --timeout 600ms")
			assert.Equal(t, statusSkip, findCheck(t, rep, "signature").Status)
		})
	}
}

// TestDoctorJWKSFileHints checks the messages and hints of a JWKS file
// doctor cannot use: one that is not a JWK Set, and one whose keys suit
// none of the algorithms of --alg.
func TestDoctorJWKSFileHints(t *testing.T) {
	garbage := tempPath(t, "garbage.json")
	require.NoError(t, os.WriteFile(garbage, []byte("garbage"), 0o644))
	rsaKey, _ := rsaKeyFiles(t, "RS256")
	noAlg := tempPath(t, "rsa-no-alg.json")
	j := vapctl(envAt(t0), "", "jwks", "--key", rsaKey, "--alg", "RS256")
	require.Equal(t, exitOK, j.code, j.stderr)
	require.NoError(t, os.WriteFile(noAlg, []byte(strings.Replace(j.stdout, `"alg": "RS256",`, "", 1)),
		0o644))

	tests := []struct {
		name string
		args []string
		msg  string
		hint string
	}{
		{name: "not a JWK Set", args: []string{"--jwks-file", garbage},
			msg:  "vapctl doctor: JWKS file " + garbage + `: unsupported key: parse JWKS: not a JSON object`,
			hint: "hint: the document is not a JWK Set"},
		{name: "no key for --alg", args: []string{"--jwks-file", testJWKSFile, "--alg", "EdDSA"},
			msg: "vapctl doctor: invalid configuration: --alg EdDSA accepts none of the keys in the " +
				"JWKS file " + testJWKSFile + ", which are for ES256",
			hint: "hint: pass --alg ES256 to check the token with these keys"},
		{name: "no key for two algorithms", args: []string{"--jwks-file", noAlg, "--alg", "ES256,EdDSA"},
			msg:  "vapctl doctor: invalid configuration: --alg ES256,EdDSA accepts none of the keys",
			hint: "hint: pass --alg RS256,PS256 to check the token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"doctor", "--iss", testIssuer, "--aud", testAudience}, tt.args...)
			r := vapctl(envAt(t0), mintAt(t, t0), args...)

			assert.Equal(t, exitFailure, r.code, r.stderr)
			first, rest, _ := strings.Cut(r.stderr, "\n")
			assert.True(t, strings.HasPrefix(first, tt.msg), "got %q, want %q", first, tt.msg)
			assert.NotContains(t, first, "launch: ")
			assert.True(t, strings.HasPrefix(rest, tt.hint), "got %q, want %q", rest, tt.hint)
			assert.NotContains(t, rest, "fix the configuration value named in the error")
			assert.NotContains(t, rest, "use an ECDSA P-256")
		})
	}
}

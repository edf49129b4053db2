package main

import (
	"net/http"
	"net/http/httptest"
	"os"
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
				args := append([]string{"doctor", "--json", "--iss", testIssuer, "--aud", tt.aud}, src.args...)

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

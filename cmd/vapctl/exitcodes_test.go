package main

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestExitCodes runs every command with a wrong command line (status 2, a
// usage hint on stderr) and with a failure the command line cannot show
// (status 1, no usage hint). Every message carries one prefix.
func TestExitCodes(t *testing.T) {
	token := mintAt(t, t0)
	existing, same := tempPath(t, "k.pem"), tempPath(t, "same.pem")
	require.NoError(t, os.WriteFile(existing, []byte("keep me"), 0o600))
	mint := []string{"mint", "--key", testKeyFile, "--iss", testIssuer, "--aud", testAudience}
	doctor := []string{"doctor", "--jwks-file", testJWKSFile, "--iss", testIssuer,
		"--aud", testAudience}
	with := func(base []string, extra ...string) []string {
		return append(append([]string(nil), base...), extra...)
	}

	tests := []struct {
		name  string
		args  []string
		stdin string
		code  int
		msg   string
	}{
		{name: "keygen without --out", args: []string{"keygen"}, code: exitUsage,
			msg: "vapctl keygen: missing required flag --out"},
		{name: "keygen with an argument", args: []string{"keygen", "--out", tempPath(t, "a.pem"),
			"extra"}, code: exitUsage, msg: "vapctl keygen: keygen takes no arguments"},
		{name: "keygen --bits without RS256", args: []string{"keygen", "--out",
			tempPath(t, "b.pem"), "--bits", "4096"}, code: exitUsage,
			msg: "vapctl keygen: --bits applies to RSA keys (RS256, PS256) only"},
		{name: "keygen same file twice", args: []string{"keygen", "--out", same,
			"--jwks-out", same}, code: exitUsage,
			msg: "vapctl keygen: --out and --jwks-out must name different files"},
		{name: "keygen malformed --bits", args: []string{"keygen", "--bits", "many"},
			code: exitUsage, msg: `vapctl keygen: invalid value "many" for flag -bits`},
		{name: "keygen existing file", args: []string{"keygen", "--out", existing},
			code: exitFailure, msg: "vapctl keygen: " + existing + ": file already exists"},

		{name: "jwks without --key", args: []string{"jwks"}, code: exitUsage,
			msg: "vapctl jwks: missing required flag --key"},
		{name: "jwks unknown --alg", args: []string{"jwks", "--key", testKeyFile, "--alg", "HS256"},
			code: exitUsage, msg: `vapctl jwks: --alg must be one of ES256, EdDSA, RS256, PS256`},
		{name: "jwks --alg not suiting the key", args: []string{"jwks", "--key", testKeyFile,
			"--alg", "EdDSA"}, code: exitUsage, msg: "vapctl jwks: --alg EdDSA does not suit the key"},
		{name: "jwks missing key file", args: []string{"jwks", "--key", "testdata/none.pem"},
			code: exitFailure, msg: "vapctl jwks: read key file:"},

		{name: "mint without --cohort", args: with(mint, "--sub", testSubject), code: exitUsage,
			msg: "vapctl mint: missing required flag --cohort"},
		{name: "mint without anything", args: []string{"mint"}, code: exitUsage,
			msg: "vapctl mint: missing required flags --key, --iss, --aud, --sub, --cohort"},
		{name: "mint empty --sub", args: with(mint, "--sub", "", "--cohort", "c"),
			code: exitUsage, msg: "vapctl mint: missing required flag --sub"},
		{name: "mint bad --role", args: with(mint, "--sub", "s", "--cohort", "c", "--role", "x"),
			code: exitUsage, msg: "vapctl mint: invalid claim: role"},
		{name: "mint unknown flag", args: with(mint, "--bogus"), code: exitUsage,
			msg: "vapctl mint: flag provided but not defined: -bogus"},
		{name: "mint missing key file", args: []string{"mint", "--key", "testdata/none.pem",
			"--iss", "i", "--aud", "a", "--sub", "s", "--cohort", "c"}, code: exitFailure,
			msg: "vapctl mint: read key file:"},

		{name: "inspect without token", args: []string{"inspect"}, code: exitUsage,
			msg: "vapctl inspect: no token given"},
		{name: "inspect two tokens", args: []string{"inspect", "a", "b"}, code: exitUsage,
			msg: "vapctl inspect: expected at most one token argument, got 2"},
		{name: "inspect malformed token", args: []string{"inspect", "a.b"}, code: exitFailure,
			msg: "vapctl inspect: malformed token: want 3 dot-separated segments, got 2"},

		{name: "doctor without token", args: doctor, code: exitUsage,
			msg: "vapctl doctor: no token given"},
		{name: "doctor without --iss", args: []string{"doctor", "--jwks-file", testJWKSFile,
			"--aud", testAudience}, stdin: token, code: exitUsage,
			msg: "vapctl doctor: missing required flag --iss"},
		{name: "doctor without key source", args: []string{"doctor", "--iss", testIssuer,
			"--aud", testAudience}, stdin: token, code: exitUsage,
			msg: "vapctl doctor: give exactly one of --jwks-file and --jwks-url"},
		{name: "doctor leeway too long", args: with(doctor, "--leeway", "5m"), stdin: token,
			code: exitUsage, msg: "vapctl doctor: --leeway must be positive and at most 2m0s"},
		{name: "doctor lifetime too long", args: with(doctor, "--max-lifetime", "1h"),
			stdin: token, code: exitUsage, msg: "vapctl doctor: --max-lifetime must be positive"},
		{name: "doctor unknown algorithm", args: with(doctor, "--alg", "ES256,none"),
			stdin: token, code: exitUsage, msg: `vapctl doctor: --alg may list only`},
		{name: "doctor missing JWKS file", args: []string{"doctor", "--jwks-file",
			"testdata/none.json", "--iss", testIssuer, "--aud", testAudience}, stdin: token,
			code: exitFailure, msg: "vapctl doctor: read JWKS file:"},

		{name: "help for an unknown command", args: []string{"help", "frobnicate"},
			code: exitUsage, msg: `vapctl: unknown command "frobnicate"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := vapctl(envAt(t0), tt.stdin, tt.args...)

			assert.Equal(t, tt.code, r.code, r.stderr)
			firstLine, _, _ := strings.Cut(r.stderr, "\n")
			assert.True(t, strings.HasPrefix(firstLine, tt.msg), "got %q, want %q", firstLine, tt.msg)
			assert.Equal(t, 1, strings.Count(firstLine, "vapctl"), "one prefix: %q", firstLine)
			assert.NotContains(t, firstLine, "launch: ")
			if tt.code == exitUsage && tt.args[0] != "help" {
				assert.Contains(t, r.stderr, "usage: vapctl "+tt.args[0]+" ")
				assert.Contains(t, r.stderr, "Run 'vapctl "+tt.args[0]+" --help' for details.")
			} else {
				assert.NotContains(t, r.stderr, "usage:")
			}

			assert.Equal(t, "keep me", string(readFile(t, existing)))
		})
	}
}

// TestExitCodesJSON checks that --json changes the output, not the status.
func TestExitCodesJSON(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{name: "usage error", args: []string{"mint", "--json", "--key", testKeyFile}, code: exitUsage,
			want: "missing required flags --iss, --aud, --sub, --cohort"},
		{name: "failure", args: []string{"inspect", "--json", "a.b"}, code: exitFailure,
			want: "malformed token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := vapctl(envAt(t0), "", tt.args...)

			assert.Equal(t, tt.code, r.code, r.stderr)
			out := decodeJSON[struct {
				OK    bool
				Error jsonError
			}](t, r.stdout)
			assert.False(t, out.OK)
			assert.True(t, strings.HasPrefix(out.Error.Message, tt.want), out.Error.Message)
			assert.NotContains(t, out.Error.Message, "vapctl")
		})
	}
}

var flagInHelp = regexp.MustCompile(`(?m)^  (--[a-z-]+)`)

// TestUsageListsEveryFlag checks that each command's synopsis, in --help
// and after a usage error, names every flag of the flag list.
func TestUsageListsEveryFlag(t *testing.T) {
	for _, c := range commands {
		t.Run(c.name, func(t *testing.T) {
			help := vapctl(envAt(t0), "", c.name, "--help")
			require.Equal(t, exitOK, help.code, help.stderr)
			synopsis, list, ok := strings.Cut(help.stdout, "\nFlags:\n")
			require.True(t, ok, help.stdout)
			synopsis, _, _ = strings.Cut(synopsis, "\n\n")
			require.True(t, strings.HasPrefix(synopsis, "Usage: vapctl "+c.name+" "), synopsis)

			bad := vapctl(envAt(t0), "", c.name, "--no-such-flag")
			require.Equal(t, exitUsage, bad.code)

			flags := flagInHelp.FindAllStringSubmatch(list, -1)
			require.NotEmpty(t, flags)
			for _, f := range flags {
				word := regexp.MustCompile(`[\[( ]` + regexp.QuoteMeta(f[1]) + `[ \])\n]`)
				assert.Regexp(t, word, synopsis+"\n", "synopsis lacks %s", f[1])
				assert.Regexp(t, word, bad.stderr, "usage hint lacks %s", f[1])
			}
		})
	}

	keygen := vapctl(envAt(t0), "", "keygen", "--help")
	for _, f := range []string{"--kid ID", "--bits BITS", "--force", "--json", "--jwks-out FILE"} {
		assert.Contains(t, keygen.stdout, "["+f+"]")
	}
}

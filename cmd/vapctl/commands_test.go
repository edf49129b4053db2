package main

import (
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/launch"
)

func TestKeygen(t *testing.T) {
	tests := []struct {
		name string
		args []string
		alg  string
	}{
		{"ES256", []string{"--alg", "ES256"}, launch.ES256},
		{"EdDSA", []string{"--alg", "EdDSA"}, launch.EdDSA},
		{"RS256", []string{"--alg", "RS256", "--bits", "2048"}, launch.RS256},
		{"PS256", []string{"--alg", "PS256", "--bits", "2048"}, launch.PS256},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keyFile, jwksFile := tempPath(t, "k.pem"), tempPath(t, "k.json")
			args := append([]string{"keygen", "--json", "--out", keyFile, "--jwks-out", jwksFile}, tt.args...)
			r := vapctl(envAt(t0), "", args...)
			require.Equal(t, exitOK, r.code, r.stderr)

			res := decodeJSON[keygenResult](t, r.stdout)
			assert.Equal(t, tt.alg, res.Algorithm)
			assert.NotContains(t, r.stdout, "PRIVATE")

			info, err := os.Stat(keyFile)
			require.NoError(t, err)
			assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())

			signer, err := launch.LoadPrivateKeyPEM(readFile(t, keyFile))
			require.NoError(t, err)
			keys, err := launch.ParseJWKS(readFile(t, jwksFile))
			require.NoError(t, err)
			require.Len(t, keys, 1)
			assert.Equal(t, res.KeyID, keys[0].KeyID)
			assert.Equal(t, tt.alg, keys[0].Algorithm)
			assert.Equal(t, signer.Public(), keys[0].Key)

			// jwks prints the same set from the private key file.
			j := vapctl(envAt(t0), "", "jwks", "--key", keyFile, "--alg", tt.alg)
			require.Equal(t, exitOK, j.code, j.stderr)
			assert.JSONEq(t, string(readFile(t, jwksFile)), j.stdout)

			// A token minted with the key and algorithm passes doctor
			// with the JWKS written.
			m := vapctl(envAt(t0), "", "mint", "--key", keyFile, "--alg", tt.alg,
				"--iss", testIssuer, "--aud", testAudience, "--sub", testSubject, "--cohort", "c")
			require.Equal(t, exitOK, m.code, m.stderr)
			d := vapctl(envAt(t0), m.stdout, "doctor", "--jwks-file", jwksFile,
				"--iss", testIssuer, "--aud", testAudience)
			assert.Equal(t, exitOK, d.code, d.stdout)
		})
	}
}

func TestKeygenRefusals(t *testing.T) {
	existing := tempPath(t, "k.pem")
	require.NoError(t, os.WriteFile(existing, []byte("keep me"), 0o600))
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"no output file", []string{"keygen"}, exitUsage},
		{"HS256", []string{"keygen", "--alg", "HS256", "--out", tempPath(t, "x.pem")}, exitUsage},
		{"small RSA", []string{"keygen", "--alg", "RS256", "--bits", "1024", "--out", tempPath(t, "x.pem")},
			exitUsage},
		{"small RSA for PS256", []string{"keygen", "--alg", "PS256", "--bits", "1024",
			"--out", tempPath(t, "x.pem")}, exitUsage},
		{"bits for ES256", []string{"keygen", "--alg", "ES256", "--bits", "2048",
			"--out", tempPath(t, "x.pem")}, exitUsage},
		{"existing file", []string{"keygen", "--out", existing}, exitFailure},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := vapctl(envAt(t0), "", tt.args...)

			assert.Equal(t, tt.code, r.code, r.stderr)
			assert.Equal(t, "keep me", string(readFile(t, existing)))
		})
	}
}

// TestThumbprint checks the default kid against RFC 7638 computed by hand
// from the key's coordinates.
func TestThumbprint(t *testing.T) {
	signer, err := launch.LoadPrivateKeyPEM(readFile(t, testKeyFile))
	require.NoError(t, err)
	pub, ok := signer.Public().(*ecdsa.PublicKey)
	require.True(t, ok)
	raw, err := pub.Bytes()
	require.NoError(t, err)

	enc := base64.RawURLEncoding.EncodeToString
	canonical := fmt.Sprintf(`{"crv":"P-256","kty":"EC","x":"%s","y":"%s"}`, enc(raw[1:33]), enc(raw[33:]))
	sum := sha256.Sum256([]byte(canonical))

	got, err := thumbprint(pub)
	require.NoError(t, err)
	assert.Equal(t, enc(sum[:]), got)
}

func TestMint(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		code     int
		wantCode string
	}{
		{name: "learner with case", args: []string{"--case", "c-1"}, code: exitOK},
		{name: "instructor", args: []string{"--role", "instructor"}, code: exitOK},
		// Flag values launch refuses are usage errors that keep launch's
		// code and hint.
		{name: "bad role", args: []string{"--role", "admin"}, code: exitUsage, wantCode: "claim_invalid"},
		{name: "case and case set", args: []string{"--case", "a", "--case-set", "b"},
			code: exitUsage, wantCode: "claim_invalid"},
		{name: "ttl too long", args: []string{"--ttl", "10m"}, code: exitUsage,
			wantCode: "config_invalid"},
		{name: "no kid and kid", args: []string{"--no-kid", "--kid", "k"}, code: exitUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"mint", "--json", "--key", testKeyFile, "--iss", testIssuer,
				"--aud", testAudience, "--sub", testSubject, "--cohort", "c"}, tt.args...)
			r := vapctl(envAt(t0), "", args...)
			require.Equal(t, tt.code, r.code, r.stderr)
			if tt.wantCode != "" {
				out := decodeJSON[struct{ Error jsonError }](t, r.stdout)
				assert.Equal(t, tt.wantCode, out.Error.Code)
				assert.NotEmpty(t, out.Error.Hint)

				return
			}

			if tt.code != exitOK {
				return
			}

			res := decodeJSON[mintResult](t, r.stdout)
			assert.Equal(t, t0.Add(launch.DefaultTTL), res.ExpiresAt)
			d := vapctl(envAt(t0), res.Token, "doctor", "--jwks-file", testJWKSFile,
				"--iss", testIssuer, "--aud", testAudience)
			assert.Equal(t, exitOK, d.code, d.stdout)
		})
	}
}

func TestInspect(t *testing.T) {
	token := mintAt(t, t0)
	tests := []struct {
		name  string
		stdin string
		args  []string
		code  int
		want  []string
	}{
		{name: "text from stdin", stdin: token, args: []string{"inspect"}, code: exitOK,
			want: []string{"UNVERIFIED", `"typ": "vap-launch+jwt"`, `"cohort_id": "cohort-2026"`,
				"exp 2026-03-02T09:31:00Z (in 1m0s)"}},
		{name: "argument", args: []string{"inspect", token}, code: exitOK, want: []string{"UNVERIFIED"}},
		{name: "json", stdin: token, args: []string{"inspect", "--json", "-"}, code: exitOK,
			want: []string{`"verified": false`, `"signature_bytes": 64`}},
		{name: "malformed", stdin: "secret-looking.junk", args: []string{"inspect"}, code: exitFailure},
		// No token at all is a missing argument.
		{name: "empty stdin", args: []string{"inspect"}, code: exitUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := vapctl(envAt(t0), tt.stdin, tt.args...)

			assert.Equal(t, tt.code, r.code, r.stderr)
			for _, w := range tt.want {
				assert.Contains(t, r.stdout, w)
			}

			if tt.code != exitOK {
				assert.NotContains(t, r.stderr, "secret-looking")
			}
		})
	}
}

func TestJSONOutputIsJSON(t *testing.T) {
	token := mintAt(t, t0)
	for _, args := range [][]string{
		{"inspect", "--json"},
		{"jwks", "--json", "--key", testKeyFile},
		{"doctor", "--json", "--jwks-file", testJWKSFile, "--iss", testIssuer, "--aud", "x"},
		{"inspect", "--json", "bad"},
	} {
		t.Run(strings.Join(args[:2], " "), func(t *testing.T) {
			r := vapctl(envAt(t0), token, args...)
			assert.True(t, json.Valid([]byte(r.stdout)), r.stdout)
		})
	}
}

func TestTopLevel(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		out  string
	}{
		{"no command", nil, exitUsage, ""},
		{"unknown command", []string{"frobnicate"}, exitUsage, ""},
		{"help", []string{"help"}, exitOK, "Commands:"},
		{"--help", []string{"--help"}, exitOK, "doctor"},
		{"help doctor", []string{"help", "doctor"}, exitOK, "Usage: vapctl doctor"},
		{"keygen --help", []string{"keygen", "--help"}, exitOK, "Usage: vapctl keygen"},
		{"mint --help", []string{"mint", "--help"}, exitOK, "Usage: vapctl mint"},
		{"inspect --help", []string{"inspect", "--help"}, exitOK, "Usage: vapctl inspect"},
		{"jwks --help", []string{"jwks", "--help"}, exitOK, "Usage: vapctl jwks"},
		{"jwks without key", []string{"jwks"}, exitUsage, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := vapctl(envAt(t0), "", tt.args...)

			assert.Equal(t, tt.code, r.code, r.stderr)
			assert.Contains(t, r.stdout, tt.out)
		})
	}
}

package main

import (
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
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

// rsaKeyFiles makes a 2048-bit key for alg with keygen and returns the key
// file and its JWKS file.
func rsaKeyFiles(t *testing.T, alg string) (string, string) {
	t.Helper()
	keyFile, jwksFile := tempPath(t, alg+".pem"), tempPath(t, alg+".jwks.json")
	r := vapctl(envAt(t0), "", "keygen", "--alg", alg, "--bits", "2048", "--out", keyFile,
		"--jwks-out", jwksFile)
	require.Equal(t, exitOK, r.code, r.stderr)

	return keyFile, jwksFile
}

// TestRSAKeyNeedsAlg checks that mint and jwks never guess the algorithm
// of an RSA key, which signs RS256 or PS256 alike, while P-256 and Ed25519
// keys keep theirs.
func TestRSAKeyNeedsAlg(t *testing.T) {
	rsaKey, _ := rsaKeyFiles(t, launch.PS256)
	edKey := tempPath(t, "ed.pem")
	r := vapctl(envAt(t0), "", "keygen", "--alg", "EdDSA", "--out", edKey)
	require.Equal(t, exitOK, r.code, r.stderr)
	mint := func(key string, extra ...string) []string {
		return append([]string{"mint", "--key", key, "--iss", testIssuer,
			"--aud", testAudience, "--sub", testSubject, "--cohort", "c"}, extra...)
	}

	tests := []struct {
		name    string
		args    []string
		code    int
		wantAlg string
	}{
		{name: "mint RSA without --alg", args: mint(rsaKey), code: exitUsage},
		{name: "jwks RSA without --alg", args: []string{"jwks", "--key", rsaKey}, code: exitUsage},
		{name: "mint RSA with --alg PS256", args: mint(rsaKey, "--alg", "PS256"), code: exitOK,
			wantAlg: launch.PS256},
		{name: "mint RSA with --alg RS256", args: mint(rsaKey, "--alg", "RS256"), code: exitOK,
			wantAlg: launch.RS256},
		{name: "jwks RSA with --alg PS256", args: []string{"jwks", "--key", rsaKey, "--alg", "PS256"},
			code: exitOK, wantAlg: launch.PS256},
		{name: "mint ES256 inferred", args: mint(testKeyFile), code: exitOK, wantAlg: launch.ES256},
		{name: "mint EdDSA inferred", args: mint(edKey), code: exitOK, wantAlg: launch.EdDSA},
		{name: "jwks EdDSA inferred", args: []string{"jwks", "--key", edKey}, code: exitOK,
			wantAlg: launch.EdDSA},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := vapctl(envAt(t0), "", tt.args...)

			require.Equal(t, tt.code, r.code, r.stderr)
			if tt.code == exitUsage {
				first, _, _ := strings.Cut(r.stderr, "\n")
				assert.Equal(t, "vapctl "+tt.args[0]+": the key in "+rsaKey+" is an RSA key, "+
					"which signs RS256 or PS256: pass --alg RS256 or --alg PS256, whichever its "+
					"JWKS names", first)
				assert.Contains(t, r.stderr, "usage: vapctl "+tt.args[0])
				assert.Empty(t, r.stdout)

				return
			}

			if tt.args[0] == "jwks" {
				keys, err := launch.ParseJWKS([]byte(r.stdout))
				require.NoError(t, err)
				require.Len(t, keys, 1)
				assert.Equal(t, tt.wantAlg, keys[0].Algorithm)

				return
			}

			token := strings.TrimSpace(r.stdout)
			d := vapctl(envAt(t0), token, "inspect", "--json")
			require.Equal(t, exitOK, d.code, d.stderr)
			assert.Contains(t, d.stdout, `"alg": "`+tt.wantAlg+`"`)
		})
	}

	// The help of mint and jwks shows an RSA key used with --alg.
	for _, c := range []string{"mint", "jwks"} {
		help := vapctl(envAt(t0), "", c, "--help")
		require.Equal(t, exitOK, help.code)
		assert.Contains(t, help.stdout, "vapctl "+c+" --key k.pem --alg PS256", c)
		assert.Contains(t, help.stdout, "required for an RSA key", c)
	}
}

// TestKeygenWritesAllOrNothing checks that keygen writes both files or
// neither: an output that cannot be created stops it before any key is
// written, and leaves no temporary file behind.
func TestKeygenWritesAllOrNothing(t *testing.T) {
	tests := []struct {
		name string
		// jwks returns the --jwks-out path in dir.
		jwks  func(dir string) string
		force bool
		msg   string
	}{
		{name: "JWKS file exists", msg: "file already exists",
			jwks: func(dir string) string { return filepath.Join(dir, "existing.json") }},
		{name: "JWKS directory missing", msg: "no such file or directory",
			jwks: func(string) string { return filepath.Join("/nonexistent", "x.json") }},
		{name: "JWKS directory missing, with --force", force: true, msg: "no such file or directory",
			jwks: func(string) string { return filepath.Join("/nonexistent", "x.json") }},
		{name: "JWKS path a directory, with --force", force: true, msg: "is a directory",
			jwks: func(dir string) string { return filepath.Join(dir, "sub") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			require.NoError(t, os.WriteFile(filepath.Join(dir, "existing.json"), []byte("keep me"), 0o644))
			require.NoError(t, os.Mkdir(filepath.Join(dir, "sub"), 0o755))
			require.NoError(t, os.WriteFile(filepath.Join(dir, "sub", "f"), nil, 0o644))
			keyFile := filepath.Join(dir, "new1.pem")
			if tt.force {
				// With --force an existing key is kept when keygen fails.
				require.NoError(t, os.WriteFile(keyFile, []byte("old key"), 0o600))
			}

			args := []string{"keygen", "--out", keyFile, "--jwks-out", tt.jwks(dir)}
			if tt.force {
				args = append(args, "--force")
			}

			r := vapctl(envAt(t0), "", args...)

			assert.Equal(t, exitFailure, r.code, r.stderr)
			assert.Contains(t, r.stderr, tt.msg)
			assert.NotContains(t, r.stderr, ".tmp-", "errors name the file asked for")
			entries, err := os.ReadDir(dir)
			require.NoError(t, err)
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}

			if tt.force {
				assert.ElementsMatch(t, []string{"existing.json", "sub", "new1.pem"}, names)
				assert.Equal(t, "old key", string(readFile(t, keyFile)))
			} else {
				assert.ElementsMatch(t, []string{"existing.json", "sub"}, names)
			}

			assert.Equal(t, "keep me", string(readFile(t, filepath.Join(dir, "existing.json"))))
		})
	}

	t.Run("both written", func(t *testing.T) {
		dir := t.TempDir()
		keyFile, jwksFile := filepath.Join(dir, "k.pem"), filepath.Join(dir, "k.json")
		for _, force := range []string{"", "--force"} {
			args := []string{"keygen", "--out", keyFile, "--jwks-out", jwksFile}
			if force != "" {
				args = append(args, force)
			}

			r := vapctl(envAt(t0), "", args...)
			require.Equal(t, exitOK, r.code, r.stderr)
			for path, perm := range map[string]os.FileMode{keyFile: 0o600, jwksFile: 0o644} {
				info, err := os.Stat(path)
				require.NoError(t, err)
				assert.Equal(t, perm, info.Mode().Perm(), path)
			}

			entries, err := os.ReadDir(dir)
			require.NoError(t, err)
			assert.Len(t, entries, 2, "no temporary file is left")
		}
	})
}

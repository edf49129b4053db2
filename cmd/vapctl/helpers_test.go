package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/launch"
)

// t0 is the fixed clock of the tests.
var t0 = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

const (
	testIssuer   = "https://lms.example.edu"
	testAudience = "https://vap.example.com/launch"
	testSubject  = "learner-8d2f"
	testKeyFile  = "testdata/es256.pem"
	testJWKSFile = "testdata/es256.jwks.json"
)

func envAt(now time.Time) env {
	return env{now: func() time.Time { return now }}
}

// result is what one vapctl run produced.
type result struct {
	code   int
	stdout string
	stderr string
}

// vapctl runs the command in-process with the given clock and stdin.
func vapctl(e env, stdin string, args ...string) result {
	var out, errOut bytes.Buffer
	code := runEnv(e, args, strings.NewReader(stdin), &out, &errOut)

	return result{code: code, stdout: out.String(), stderr: errOut.String()}
}

// mintAt mints a launch token with the test key at time at; extra flags
// are appended.
func mintAt(t *testing.T, at time.Time, extra ...string) string {
	t.Helper()
	args := append([]string{"mint", "--key", testKeyFile, "--iss", testIssuer, "--aud", testAudience,
		"--sub", testSubject, "--cohort", "cohort-2026", "--case", "chest-pain-01"}, extra...)
	r := vapctl(envAt(at), "", args...)
	require.Equal(t, exitOK, r.code, r.stderr)

	return strings.TrimSpace(r.stdout)
}

// decodeJSON unmarshals a command's JSON output.
func decodeJSON[T any](t *testing.T, s string) T {
	t.Helper()
	var v T
	require.NoError(t, json.Unmarshal([]byte(s), &v), s)

	return v
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)

	return data
}

func tempPath(t *testing.T, name string) string {
	t.Helper()

	return filepath.Join(t.TempDir(), name)
}

// testAPIAudience is the audience of the tests' API credentials.
const testAPIAudience = "https://vap.example.com/api"

// mintAPIAt mints a partner API credential with the test key at time at,
// as a partner's client does.
func mintAPIAt(t *testing.T, at time.Time, audience string) string {
	t.Helper()
	signer, err := loadSigner(testKeyFile)
	require.NoError(t, err)
	pub, err := publicKeyFor(signer, "", "")
	require.NoError(t, err)
	m, err := launch.NewMinter(launch.MinterConfig{
		Issuer: testIssuer, Audience: testAudience, Algorithm: pub.Algorithm,
		Signer: signer, KeyID: pub.KeyID, Now: func() time.Time { return at },
	})
	require.NoError(t, err)
	token, err := m.MintAPICredential(context.Background(), audience)
	require.NoError(t, err)

	return token
}

// craftToken signs, with the ES256 key in keyFile and the kid of the test
// key, the claims of a valid launch token issued at t0 changed by edits (a
// nil value removes the claim), bypassing the checks of launch.Minter.
func craftToken(t *testing.T, keyFile string, edits map[string]any) string {
	t.Helper()
	claims := map[string]any{
		"iss": testIssuer, "aud": testAudience, "sub": testSubject, "role": "learner",
		"cohort_id": "cohort-2026", "case_id": "chest-pain-01", "jti": "jti-1",
		"iat": t0.Unix(), "exp": t0.Add(time.Minute).Unix(),
	}
	maps.Copy(claims, edits)
	maps.DeleteFunc(claims, func(_ string, v any) bool { return v == nil })

	signer, err := loadSigner(testKeyFile)
	require.NoError(t, err)
	pub, err := publicKeyFor(signer, "", "")
	require.NoError(t, err)
	header, err := json.Marshal(map[string]any{
		"alg": "ES256", "typ": "vap-launch+jwt", "kid": pub.KeyID,
	})
	require.NoError(t, err)
	payload, err := json.Marshal(claims)
	require.NoError(t, err)

	key, err := loadSigner(keyFile)
	require.NoError(t, err)
	enc := base64.RawURLEncoding.EncodeToString
	input := enc(header) + "." + enc(payload)
	sig, err := jwt.SigningMethodES256.Sign(input, key)
	require.NoError(t, err)

	return input + "." + enc(sig)
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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

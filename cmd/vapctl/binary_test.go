package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBinary builds the real vapctl and runs keygen, mint and doctor with it.
func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}

	dir := t.TempDir()
	bin := filepath.Join(dir, "vapctl")
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go tool not on PATH")
	}

	build := exec.Command(goTool, "build", "-o", bin, ".")
	out, err := build.CombinedOutput()
	require.NoError(t, err, string(out))

	keyFile, jwksFile := filepath.Join(dir, "k.pem"), filepath.Join(dir, "k.json")
	token := runBinary(t, bin, "", 0, "keygen", "--alg", "EdDSA", "--out", keyFile, "--jwks-out", jwksFile)
	assert.Empty(t, token)

	token = strings.TrimSpace(runBinary(t, bin, "", 0, "mint", "--key", keyFile, "--iss", testIssuer,
		"--aud", testAudience, "--sub", testSubject, "--cohort", "c"))

	tests := []struct {
		name string
		aud  string
		code int
	}{
		{"valid", testAudience, 0},
		{"wrong audience", "https://vap.example.com/other", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			report := runBinary(t, bin, token, tt.code, "doctor", "--jwks-file", jwksFile,
				"--iss", testIssuer, "--aud", tt.aud)
			assert.Contains(t, report, "verdict:")
		})
	}

	t.Run("usage error", func(t *testing.T) {
		runBinary(t, bin, "", 2, "mint", "--bogus")
	})

	t.Run("mint without cohort", func(t *testing.T) {
		runBinary(t, bin, "", 2, "mint", "--key", keyFile, "--iss", testIssuer,
			"--aud", testAudience, "--sub", testSubject)
	})

	t.Run("doctor without token", func(t *testing.T) {
		runBinary(t, bin, "", 2, "doctor", "--jwks-file", jwksFile,
			"--iss", testIssuer, "--aud", testAudience)
	})
}

// runBinary runs bin with args and stdin and checks its exit status.
func runBinary(t *testing.T, bin, stdin string, wantCode int, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if wantCode == 0 {
		require.NoError(t, err, stderr.String())
	} else {
		var exitErr *exec.ExitError
		require.ErrorAs(t, err, &exitErr)
		assert.Equal(t, wantCode, exitErr.ExitCode(), stderr.String())
	}

	return stdout.String()
}

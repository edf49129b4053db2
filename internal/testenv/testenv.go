// Package testenv tells tests which real services and tools they may use.
//
// Tests that need PostgreSQL, Node.js or Chromium call into this package. When
// the service is not configured the test is skipped, unless services are
// required: then a missing service fails the test, so CI can never pass by
// skipping. Services are required when the environment variable
// VAP_TEST_REQUIRE is set (as .ci/run does), or when CI is set to anything
// but "false" or "0" (as GitHub Actions, GitLab CI and most other CI
// systems do).
package testenv

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// PostgresDSNVar names the environment variable holding the PostgreSQL DSN
// that store and reporting tests connect to.
const PostgresDSNVar = "VAP_TEST_POSTGRES_DSN"

// RequireVar names the environment variable that turns a skip for a missing
// service or tool into a failure.
const RequireVar = "VAP_TEST_REQUIRE"

// CIVar names the environment variable CI systems set; any value but
// "false" or "0" makes services required, like RequireVar.
const CIVar = "CI"

// Required reports whether missing services must fail tests instead of
// skipping them: RequireVar is set to anything, or CIVar is set to anything
// but "false" or "0" (in any case).
func Required() bool {
	return os.Getenv(RequireVar) != "" || onCI()
}

// onCI reports whether CIVar says the tests run on a CI system.
func onCI() bool {
	v := strings.TrimSpace(os.Getenv(CIVar))

	return v != "" && v != "0" && !strings.EqualFold(v, "false")
}

// requiredBy names the variable that makes services required.
func requiredBy() string {
	if os.Getenv(RequireVar) != "" {
		return RequireVar + " is set"
	}

	return CIVar + " is set"
}

// Unavailable skips t, or fails it when services are required, explaining
// what is missing.
func Unavailable(t testing.TB, what string) {
	t.Helper()
	if Required() {
		t.Fatalf("%s is required (%s) but unavailable", what, requiredBy())
	}

	t.Skipf("%s unavailable; set it up to run this test (or set %s=1 to make this a failure)",
		what, RequireVar)
}

// PostgresDSN returns the DSN of the test PostgreSQL server, or skips (or
// fails, see Required) when none is configured.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(PostgresDSNVar)
	if dsn == "" {
		Unavailable(t, "PostgreSQL ("+PostgresDSNVar+" unset)")
	}

	return dsn
}

// LookPath returns the absolute path of an executable, or skips (or fails,
// see Required) when it is not installed.
func LookPath(t testing.TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		Unavailable(t, name)
	}

	return path
}

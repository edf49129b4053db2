// Package testenv tells tests which real services and tools they may use.
//
// Tests that need PostgreSQL, Node.js or Chromium call into this package. When
// the service is not configured the test is skipped, unless the environment
// variable VAP_TEST_REQUIRE is set (as .ci/run does): then a missing service
// fails the test, so CI can never pass by skipping.
package testenv

import (
	"os"
	"os/exec"
	"testing"
)

// PostgresDSNVar names the environment variable holding the PostgreSQL DSN
// that store and reporting tests connect to.
const PostgresDSNVar = "VAP_TEST_POSTGRES_DSN"

// RequireVar names the environment variable that turns a skip for a missing
// service or tool into a failure.
const RequireVar = "VAP_TEST_REQUIRE"

// Required reports whether missing services must fail tests instead of
// skipping them.
func Required() bool {
	return os.Getenv(RequireVar) != ""
}

// Unavailable skips t, or fails it when services are required, explaining
// what is missing.
func Unavailable(t testing.TB, what string) {
	t.Helper()
	if Required() {
		t.Fatalf("%s is required (%s is set) but unavailable", what, RequireVar)
	}
	t.Skipf("%s unavailable; set it up to run this test", what)
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

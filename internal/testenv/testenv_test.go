package testenv

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRequired(t *testing.T) {
	tests := []struct {
		name    string
		require string
		ci      string
		want    bool
	}{
		{name: "nothing set", want: false},
		{name: "VAP_TEST_REQUIRE", require: "1", want: true},
		{name: "CI true", ci: "true", want: true},
		{name: "CI 1", ci: "1", want: true},
		{name: "CI other value", ci: "woodpecker", want: true},
		{name: "CI false", ci: "false", want: false},
		{name: "CI FALSE", ci: "FALSE", want: false},
		{name: "CI 0", ci: "0", want: false},
		{name: "CI blank", ci: " ", want: false},
		{name: "CI false but VAP_TEST_REQUIRE", require: "1", ci: "false", want: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(RequireVar, tt.require)
			t.Setenv(CIVar, tt.ci)

			assert.Equal(t, tt.want, Required())
		})
	}
}

// recorder is a testing.TB that records the first Fatalf or Skipf instead
// of stopping the test.
type recorder struct {
	testing.TB
	fatal, skip string
}

func (r *recorder) Helper() {}

func (r *recorder) Fatalf(format string, args ...any) {
	if r.fatal == "" && r.skip == "" {
		r.fatal = fmt.Sprintf(format, args...)
	}
}

func (r *recorder) Skipf(format string, args ...any) {
	if r.fatal == "" && r.skip == "" {
		r.skip = fmt.Sprintf(format, args...)
	}
}

func TestLookPathMissingTool(t *testing.T) {
	tests := []struct {
		name      string
		require   string
		ci        string
		wantFatal string
	}{
		{name: "local run skips"},
		{name: "CI fails", ci: "true", wantFatal: "CI is set"},
		{name: "VAP_TEST_REQUIRE fails", require: "1", wantFatal: "VAP_TEST_REQUIRE is set"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(RequireVar, tt.require)
			t.Setenv(CIVar, tt.ci)
			r := &recorder{TB: t}

			LookPath(r, "vap-no-such-tool-7f3a")

			if tt.wantFatal == "" {
				assert.Empty(t, r.fatal)
				assert.Contains(t, r.skip, "vap-no-such-tool-7f3a unavailable")

				return
			}

			assert.Empty(t, r.skip)
			assert.Contains(t, r.fatal, "vap-no-such-tool-7f3a is required")
			assert.Contains(t, r.fatal, tt.wantFatal)
		})
	}
}

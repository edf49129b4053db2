package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/internal/testlog"
)

func TestRun(t *testing.T) {
	tests := []struct {
		name string
		opts options
	}{
		{name: "temporary database", opts: options{}},
		{name: "named database", opts: options{dbPath: t.TempDir() + "/vap.db"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			err := run(context.Background(), &out, tt.opts)
			require.NoError(t, err, out.String())

			lines := strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
			assert.Equal(t, "quickstart: OK", lines[len(lines)-1])
			for _, want := range []string{
				"76.75% passed", "MGT.DELAYED_ANTIPLATELET (moderate, patient safety)",
				"Partner receives signed webhooks", "50.00% failed  critical_error",
				"events session.started, session.completed, session.scored;",
				"hurdle:communication", "Learners started                       17",
				"Mean score                             70.88%",
				"Partner deletes learner-0017's personal data",
				"counts: learners 1, sessions_deleted 1,",
				"the same receipt arrives as a learner.deleted webhook",
				"deleting again is harmless",
			} {
				assert.Contains(t, out.String(), want)
			}

			for _, line := range lines {
				assert.Equal(t, strings.TrimRight(line, " "), line, "trailing blanks")
			}

			assert.NotContains(t, out.String(), "launch_token=")
		})
	}
}

// TestRunLogsHoldNoPersonalData runs the whole main job with both
// backends logging at debug level and looks for personal data and secrets
// in what they logged.
func TestRunLogsHoldNoPersonalData(t *testing.T) {
	var logs testlog.Buffer
	var out bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	require.NoError(t, run(context.Background(), &out, options{logger: logger}), out.String())

	got := logs.String()
	require.Contains(t, got, "webhook received", "the run logged")
	for i := 1; i <= 17; i++ {
		assert.NotContains(t, got, fmt.Sprintf("learner-%04d", i), "partner user id")
	}

	for what, needle := range map[string]string{
		"a JWT (launch token, API credential or session token)": "eyJ",
		"a webhook secret": "whsec_",
		"a one-time code":  "code=",
	} {
		assert.NotContains(t, got, needle, what)
	}
}

func TestRunFailsOnCancelledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()

	var out bytes.Buffer
	err := run(ctx, &out, options{})
	require.Error(t, err)
	assert.NotContains(t, out.String(), "quickstart: OK")
}

// TestRunRefusesUsedDatabase checks that a second run on the same -db
// file is refused before anything is written, rather than mixing two runs.
func TestRunRefusesUsedDatabase(t *testing.T) {
	path := t.TempDir() + "/vap.db"
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, options{dbPath: path}), out.String())

	out.Reset()
	err := run(context.Background(), &out, options{dbPath: path})
	require.ErrorIs(t, err, errDatabaseExists)
	assert.Contains(t, err.Error(), "name a new file with -db")
}

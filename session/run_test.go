package session_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/internal/testlog"
	"github.com/virtualaipatient/integration/store/memory"
)

// TestRunCountLevels runs one sweep and purge on an idle store and one on
// a store with an unused launch to void: zero counts are logged at Debug,
// work done at Info.
func TestRunCountLevels(t *testing.T) {
	tests := []struct {
		name     string
		launch   bool
		wantInfo []string
	}{
		{name: "idle host logs nothing at info"},
		{name: "work done is logged at info", launch: true,
			wantInfo: []string{"session: sweep"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc := newService(t, memory.New())
			if tt.launch {
				_, err := svc.Launch(context.Background(), learnerLaunch("sub-1"))
				require.NoError(t, err)
			}

			var out testlog.Buffer
			svc.Logger = slog.New(slog.NewTextHandler(&out,
				&slog.HandlerOptions{Level: slog.LevelDebug}))
			svc.Now = func() time.Time { return t0.Add(48 * time.Hour) }
			ctx, cancel := context.WithCancel(context.Background())
			svc.PurgeInterval = time.Hour
			done := make(chan error, 1)
			go func() { done <- svc.Run(ctx) }()
			require.Eventually(t, func() bool {
				return strings.Contains(out.String(), "session: purge")
			}, 10*time.Second, 10*time.Millisecond)
			cancel()
			require.ErrorIs(t, <-done, context.Canceled)

			info := strings.Count(out.String(), "level=INFO")
			assert.Equal(t, len(tt.wantInfo), info, out.String())
			for _, want := range tt.wantInfo {
				assert.Contains(t, out.String(), `level=INFO msg="`+want+`"`)
			}
		})
	}
}

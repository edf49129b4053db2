package main

import (
	"bytes"
	"context"
	"flag"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const testSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw7ZhdnL1qcoM="

func TestParseFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  string
		want flags
	}{
		{name: "no flags: the example partner app", want: flags{
			publicURL: "http://127.0.0.1:8080", partnerID: "demo-lms",
			issuer:     "http://127.0.0.1:8090",
			jwksURL:    "http://127.0.0.1:8090/.well-known/jwks.json",
			webhookURL: "http://127.0.0.1:8090/webhooks/vap",
		}},
		{name: "partner url", args: []string{"-partner-url", "http://127.0.0.1:9000/lms/",
			"-addr", "127.0.0.1:7000"}, env: testSecret,
			want: flags{
				publicURL: "http://127.0.0.1:7000", partnerID: "demo-lms",
				issuer:     "http://127.0.0.1:9000/lms",
				jwksURL:    "http://127.0.0.1:9000/lms/.well-known/jwks.json",
				webhookURL: "http://127.0.0.1:9000/lms/webhooks/vap", secret: testSecret,
			}},
		{name: "a partner of your own", args: []string{"-partner-id", "acme-lms",
			"-issuer", "https://lms.acme.example", "-jwks-url", "https://lms.acme.example/keys",
			"-webhook-url", "https://lms.acme.example/hooks", "-webhook-secret", testSecret,
			"-public-url", "https://vap.example.org"},
			want: flags{
				publicURL: "https://vap.example.org", partnerID: "acme-lms",
				issuer: "https://lms.acme.example", jwksURL: "https://lms.acme.example/keys",
				webhookURL: "https://lms.acme.example/hooks", secret: testSecret,
			}},
		{name: "no webhooks", args: []string{"-webhook-url", ""}, want: flags{
			publicURL: "http://127.0.0.1:8080", partnerID: "demo-lms",
			issuer:  "http://127.0.0.1:8090",
			jwksURL: "http://127.0.0.1:8090/.well-known/jwks.json",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("VAP_DEMO_WEBHOOK_SECRET", tt.env)
			var out bytes.Buffer
			got, err := parseFlags(tt.args, &out)
			require.NoError(t, err, out.String())

			got.addr, got.dbPath, got.dsn, got.partnerURL, got.purgeInterval = "", "", "", "", 0
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestUsage(t *testing.T) {
	var out bytes.Buffer
	_, err := parseFlags([]string{"-h"}, &out)
	require.ErrorIs(t, err, flag.ErrHelp)

	for _, want := range []string{
		"-partner-id", "-issuer", "-jwks-url", "-webhook-url", "-webhook-secret",
		"-partner-url", "-public-url",
		"launch audience  <public-url>/integrations/partner/launch",
		"API audience     <public-url>/integrations/partner ",
		"learner app      <public-url>/app/launch",
		"keys at <partner-url>/.well-known/jwks.json",
	} {
		assert.Contains(t, out.String(), want)
	}

	out.Reset()
	_, err = parseFlags([]string{"stray"}, &out)
	require.Error(t, err)
	assert.Contains(t, out.String(), "Usage:")
}

// TestStartLogsRegistry checks that the backend logs every value a partner
// configured by hand must match, and never the webhook secret. JWK Sets
// are looked for on loopback only.
func TestStartLogsRegistry(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		want       []string
		newSecret  bool
		wantAbsent string
	}{
		{name: "a partner of your own",
			args: []string{"-partner-id", "acme-lms", "-issuer", "https://lms.acme.example",
				"-jwks-url", "https://127.0.0.1:9/keys",
				"-webhook-url", "https://lms.acme.example/hooks", "-webhook-secret", testSecret,
				"-public-url", "https://vap.example.org"},
			want: []string{
				"partner_id=acme-lms", "issuer=https://lms.acme.example",
				"launch_audience=https://vap.example.org/integrations/partner/launch",
				"api_audience=https://vap.example.org/integrations/partner ",
				"algorithms=ES256", "jwks_url=https://127.0.0.1:9/keys",
				"webhook_url=https://lms.acme.example/hooks", "cohorts=cardiology-2026",
				"api_base_path=/integrations/partner",
				"api_base=https://vap.example.org/integrations/partner ",
				"learner_app=https://vap.example.org/app/launch",
			},
			wantAbsent: strings.TrimPrefix(testSecret, "whsec_")},
		{name: "defaults", newSecret: true, want: []string{
			"partner_id=demo-lms", "issuer=http://127.0.0.1:8090",
			"launch_audience=http://127.0.0.1:8080/integrations/partner/launch",
			"jwks_url=http://127.0.0.1:8090/.well-known/jwks.json",
			"webhook_url=http://127.0.0.1:8090/webhooks/vap",
		}},
		{name: "no webhooks", args: []string{"-webhook-url", ""},
			want: []string{"webhook_url=none"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("VAP_DEMO_WEBHOOK_SECRET", "")
			args := append([]string{"-db", filepath.Join(t.TempDir(), "vap.db")}, tt.args...)
			f, err := parseFlags(args, &bytes.Buffer{})
			require.NoError(t, err)

			var logs, out bytes.Buffer
			srv, closeAll, err := start(context.Background(), f,
				slog.New(slog.NewTextHandler(&logs, nil)), &out)
			require.NoError(t, err)
			t.Cleanup(closeAll)
			require.NotNil(t, srv)

			line := logs.String()
			for _, w := range tt.want {
				assert.Contains(t, line, w)
			}

			if tt.wantAbsent != "" {
				assert.NotContains(t, line, tt.wantAbsent)
			}

			if tt.newSecret {
				assert.Contains(t, out.String(),
					"go run ./examples/partner -webhook-secret 'whsec_")
			} else {
				assert.Empty(t, out.String())
			}
		})
	}
}

// TestStartRefusesPlainHTTPWebhooks checks that summaries, which name
// learners, are posted over plain http to loopback hosts only.
func TestStartRefusesPlainHTTPWebhooks(t *testing.T) {
	t.Setenv("VAP_DEMO_WEBHOOK_SECRET", "")
	f, err := parseFlags([]string{"-db", filepath.Join(t.TempDir(), "vap.db"),
		"-webhook-url", "http://lms.acme.example/hooks", "-webhook-secret", testSecret},
		&bytes.Buffer{})
	require.NoError(t, err)

	_, closeAll, err := start(context.Background(), f, slog.New(slog.DiscardHandler), &bytes.Buffer{})
	if closeAll != nil {
		t.Cleanup(closeAll)
	}

	require.Error(t, err)
	assert.Contains(t, err.Error(), "https")
}

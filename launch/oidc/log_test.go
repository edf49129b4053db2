package oidc_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/launch/oidc"
)

// logBuffer is an io.Writer safe for the handler's concurrent use.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()

	return b.buf.Write(p)
}

func (b *logBuffer) records(t *testing.T) []map[string]any {
	b.mu.Lock()
	defer b.mu.Unlock()

	var out []map[string]any
	for line := range strings.Lines(b.buf.String()) {
		var rec map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &rec))
		out = append(out, rec)
	}

	return out
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()

	return b.buf.String()
}

// TestLogsHoldNoPersonalData runs a sign-in and failures of every stage
// with a logger, then checks that neither the logs nor the pages shown
// hold a token, code, state, nonce, name, e-mail, subject or secret.
func TestLogsHoldNoPersonalData(t *testing.T) {
	logs := &logBuffer{}
	e := newEnv(t, func(_ *env, s *setup) {
		s.handler.Logger = slog.New(slog.NewJSONHandler(logs, nil))
		s.partners = append(s.partners, partnerConfig(partnerB, s.partners[0].Issuer,
			secretClient))
		s.partners[1].Mapping.Cohort = oidc.FromClaim("vap_cohort")
	})
	s := watch(e.op)

	var mu sync.Mutex
	var secrets []string
	keep := func(m map[string]any) {
		mu.Lock()
		defer mu.Unlock()

		for _, v := range m {
			if str, ok := v.(string); ok && len(str) >= 16 {
				secrets = append(secrets, str)
			}
		}
	}
	e.op.tokenHook.Store(&keep)

	var pages []string
	show := func(p page) { pages = append(pages, p.body, p.location) }

	// A sign-in, then its replayed callback.
	end := e.browser.signIn(e.browser.start("/sso/login", target("c-1")))
	require.Equal(t, http.StatusOK, end.status, end.body)
	again := e.browser.get(e.browser.lastCallback())
	assert.Contains(t, again.body, "state_mismatch")
	show(again)

	// The callback URL of another sign-in opened in another browser.
	e.browser.setStopAtCallback(true)
	e.browser.signIn(e.browser.start("/sso/login", target("c-1")))
	e.browser.setStopAtCallback(false)
	other := newBrowser(t, e.vap).get(e.browser.lastCallback())
	assert.Contains(t, other.body, "state_mismatch")
	show(other)

	// A claim missing after the ID token is verified.
	q := target("c-1")
	q.Set("partner", partnerB)
	missing := e.browser.signIn(e.browser.start("/sso/login", q))
	assert.Contains(t, missing.body, "claim_missing")
	show(missing)

	// A wrong nonce.
	wrong := "a-nonce-that-is-not-the-flows"
	e.op.storage.setTamper(tamper{nonce: &wrong})
	bad := e.browser.signIn(e.browser.start("/sso/login", target("c-1")))
	assert.Contains(t, bad.body, "nonce_mismatch")
	show(bad)
	e.op.storage.setTamper(tamper{})

	// A login naming a partner by someone's e-mail address.
	unknown := e.browser.start("/sso/login", url.Values{"partner": {"test-user2@zitadel.ch"}})
	assert.Contains(t, unknown.body, "partner_unknown")
	show(unknown)

	e.browser.mu.Lock()
	for _, cb := range e.browser.callbacks {
		u, err := url.Parse(cb)
		require.NoError(t, err)
		secrets = append(secrets, u.Query().Get("code"), u.Query().Get("state"))
	}
	e.browser.mu.Unlock()

	mu.Lock()
	defer mu.Unlock()
	s.mu.Lock()
	for _, a := range s.auth {
		secrets = append(secrets, a.Get("nonce"), a.Get("state"), a.Get("code_challenge"))
	}

	for _, tok := range s.token {
		secrets = append(secrets, tok.Get("code"), tok.Get("code_verifier"))
	}
	s.mu.Unlock()

	secrets = append(secrets, "Test User2", "test-user2@zitadel.ch", "id2", clientSecret)
	out := logs.String()
	shown := strings.Join(pages, "\n")
	for _, v := range secrets {
		require.NotEmpty(t, v)
		assert.NotContains(t, out, v)
		assert.NotContains(t, shown, v)
	}

	// The records name what failed, by stable code and keyed hash.
	codes := map[string]bool{}
	var learner any
	for _, rec := range logs.records(t) {
		codes[rec["code"].(string)] = true
		if rec["code"] == "claim_missing" {
			assert.Equal(t, partnerB, rec["partner"])
			assert.Equal(t, "vap_cohort", rec["claim"])
			learner = rec["learner"]
		}
	}

	for _, c := range []string{"state_mismatch", "claim_missing", "nonce_mismatch",
		"partner_unknown"} {
		assert.True(t, codes[c], c)
	}

	assert.Regexp(t, `^[0-9a-f]{16}$`, learner)
}

package oidc_test

import (
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/launch"
	"github.com/virtualaipatient/integration/launch/oidc"
)

// fixedClock is a clock that moves only when told.
type fixedClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFixedClock() *fixedClock {
	return &fixedClock{t: time.Date(2030, 1, 2, 9, 0, 0, 0, time.UTC)}
}

func (c *fixedClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()

	return c.t
}

func (c *fixedClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()

	c.t = c.t.Add(d)
}

// discoveryOnly serves a discovery document and nothing else: enough for
// logins, which only redirect to the authorization endpoint.
func discoveryOnly(t *testing.T) string {
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]any{"issuer": srv.URL,
			"authorization_endpoint": srv.URL + "/auth", "token_endpoint": srv.URL + "/token",
			"jwks_uri": srv.URL + "/jwks"})
	}))
	t.Cleanup(srv.Close)

	return srv.URL
}

// loginHandler is a handler on the clock for partner-a and partner-b,
// changed by configure.
func loginHandler(t *testing.T, clock *fixedClock,
	configure func(*oidc.HandlerConfig)) *oidc.Handler {
	issuer := discoveryOnly(t)
	cfg := oidc.HandlerConfig{
		Partners: []oidc.Config{partnerConfig(partnerA, issuer, secretClient),
			partnerConfig(partnerB, issuer, secretClient)},
		CallbackURL: "https://vap.example" + callback,
		Complete:    func(http.ResponseWriter, *http.Request, *launch.Launch) {},
		Now:         clock.now,
	}
	if configure != nil {
		configure(&cfg)
	}

	h, err := oidc.NewHandler(cfg)
	require.NoError(t, err)

	return h
}

// login starts a sign-in of partner, by Login or by an Initiate POST.
func login(h *oidc.Handler, partner string, initiate bool) *httptest.ResponseRecorder {
	q := url.Values{"partner": {partner}, "cohort": {"c-1"}}
	rec := httptest.NewRecorder()
	if initiate {
		r := httptest.NewRequest(http.MethodPost, "https://vap.example/sso/initiate",
			strings.NewReader(q.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		h.Initiate(rec, r)
	} else {
		h.Login(rec, httptest.NewRequest(http.MethodGet,
			"https://vap.example/sso/login?"+q.Encode(), nil))
	}

	return rec
}

// TestSignInRate checks the per-partner limit on starting sign-ins, in
// both ways of keeping flows: a burst passes, the next start gets 429
// with Retry-After, other partners are not held back, requests for
// unknown partners spend nothing, and the bucket refills with the clock.
func TestSignInRate(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			clock := newFixedClock()
			h := loginHandler(t, clock, func(c *oidc.HandlerConfig) {
				c.SignInRate = oidc.RateLimit{PerSecond: 2, Burst: 3}
				if m.cookies {
					c.Cookies = cookieFlows(t)
				}
			})

			for i := range 1000 {
				rec := login(h, "nobody", i%2 == 0)
				require.Equal(t, http.StatusNotFound, rec.Code)
			}

			for i := range 3 {
				rec := login(h, partnerA, i == 1)
				require.Equal(t, http.StatusFound, rec.Code, "start %d of the burst", i)
			}

			// Login and Initiate share the partner's bucket.
			for _, initiate := range []bool{false, true} {
				rec := login(h, partnerA, initiate)
				assert.Equal(t, http.StatusTooManyRequests, rec.Code)
				assert.Equal(t, "1", rec.Header().Get("Retry-After"))
				assert.Contains(t, rec.Body.String(), "<code>sign_in_rate_limited</code>")
				assert.Empty(t, rec.Header().Values("Set-Cookie"), "no flow was kept")
			}

			rec := login(h, partnerB, false)
			assert.Equal(t, http.StatusFound, rec.Code, "another partner has its own bucket")

			// Half a second at 2 a second is one more start.
			clock.advance(500 * time.Millisecond)
			assert.Equal(t, http.StatusFound, login(h, partnerA, false).Code)
			assert.Equal(t, http.StatusTooManyRequests, login(h, partnerA, false).Code)
		})
	}
}

// TestSignInRateDefault checks that the default limit lets a cohort of
// 250 learners start within ten seconds of 9:00, and stops a flood.
func TestSignInRateDefault(t *testing.T) {
	assert.Equal(t, oidc.RateLimit{PerSecond: 20, Burst: 100}, oidc.DefaultSignInRate)

	clock := newFixedClock()
	h := loginHandler(t, clock, nil)
	for i := range 250 {
		rec := login(h, partnerA, false)
		require.Equal(t, http.StatusFound, rec.Code, "learner %d", i)
		clock.advance(40 * time.Millisecond)
	}

	clock.advance(time.Minute)
	refused := 0
	for range 200 {
		if login(h, partnerA, false).Code == http.StatusTooManyRequests {
			refused++
		}
	}

	assert.Equal(t, 100, refused, "a full bucket holds 100 starts")
}

func TestSignInRateConfig(t *testing.T) {
	tests := []struct {
		name string
		rate oidc.RateLimit
		ok   bool
	}{
		{name: "default", ok: true},
		{name: "custom", rate: oidc.RateLimit{PerSecond: 0.5, Burst: 1}, ok: true},
		{name: "only the burst", rate: oidc.RateLimit{Burst: 500}, ok: true},
		{name: "negative rate", rate: oidc.RateLimit{PerSecond: -1}},
		{name: "negative burst", rate: oidc.RateLimit{Burst: -1}},
		{name: "not a number", rate: oidc.RateLimit{PerSecond: math.NaN()}},
		{name: "infinite", rate: oidc.RateLimit{PerSecond: math.Inf(1)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := oidc.NewHandler(oidc.HandlerConfig{
				Partners:    []oidc.Config{partnerConfig(partnerA, "https://idp.example", "vap")},
				CallbackURL: "https://vap.example" + callback,
				Complete:    func(http.ResponseWriter, *http.Request, *launch.Launch) {},
				SignInRate:  tt.rate,
			})
			if tt.ok {
				assert.NoError(t, err)
				return
			}

			assert.ErrorIs(t, err, oidc.ErrConfig)
		})
	}
}

// TestFullFlowStore checks that a login the flow store has no room for
// gets a 503 page with its own code, and that flows expiring make room.
func TestFullFlowStore(t *testing.T) {
	clock := newFixedClock()
	flows := &oidc.MemoryFlows{Max: 2, Now: clock.now}
	h := loginHandler(t, clock, func(c *oidc.HandlerConfig) { c.Flows = flows })

	for range 2 {
		require.Equal(t, http.StatusFound, login(h, partnerA, false).Code)
	}

	rec := login(h, partnerA, false)
	assert.Equal(t, http.StatusServiceUnavailable, rec.Code)
	assert.Contains(t, rec.Body.String(), "<code>flow_store_full</code>")
	assert.Empty(t, rec.Header().Values("Set-Cookie"))

	clock.advance(oidc.DefaultFlowTTL)
	assert.Equal(t, http.StatusFound, login(h, partnerA, false).Code)
}

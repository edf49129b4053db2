package oidc_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/launch"
	"github.com/virtualaipatient/integration/launch/oidc"
)

const (
	partnerA    = "partner-a"
	partnerB    = "partner-b"
	learnerHost = "learn.vap.example"
	callback    = "/sso/callback"
)

// env is a provider, VAP's sign-in endpoints and a browser.
type env struct {
	op      *testOP
	vap     *httptest.Server
	handler *oidc.Handler
	browser *browser

	mu       sync.Mutex
	launches []launch.Launch
}

// setup is what a test may change before the handler is built.
type setup struct {
	partners []oidc.Config
	handler  oidc.HandlerConfig
}

// partnerConfig is partner-a on the secret client, target from the login.
func partnerConfig(id, issuer, client string) oidc.Config {
	return oidc.Config{
		PartnerID: id, Issuer: issuer, ClientID: client,
		ClientAuth: oidc.ClientAuth{Secret: clientSecret},
		Mapping: oidc.Mapping{Cohort: oidc.FromLogin(), Case: oidc.FromLogin(),
			CaseSet: oidc.FromLogin()},
	}
}

func newEnv(t *testing.T, opts ...func(e *env, s *setup)) *env {
	t.Helper()
	vap := httptest.NewUnstartedServer(nil)
	base := "https://" + vap.Listener.Addr().String()
	e := &env{vap: vap, op: newOP(t, base+callback)}

	s := &setup{partners: []oidc.Config{partnerConfig(partnerA, e.op.issuer, secretClient)}}
	s.handler.CallbackURL = base + callback
	s.handler.Complete = e.record
	for _, o := range opts {
		o(e, s)
	}

	s.handler.Partners = s.partners
	h, err := oidc.NewHandler(s.handler)
	require.NoError(t, err)

	e.handler = h
	mux := http.NewServeMux()
	mux.HandleFunc("/sso/login", h.Login)
	mux.HandleFunc("/sso/initiate", h.Initiate)
	mux.HandleFunc(callback, h.Callback)
	vap.Config.Handler = mux
	vap.StartTLS()
	t.Cleanup(vap.Close)
	e.browser = newBrowser(t, vap)

	return e
}

// record is the Complete of tests without a session service.
func (e *env) record(w http.ResponseWriter, _ *http.Request, l *launch.Launch) {
	e.mu.Lock()
	e.launches = append(e.launches, *l)
	e.mu.Unlock()

	_, _ = io.WriteString(w, "launched")
}

func (e *env) recorded() []launch.Launch {
	e.mu.Lock()
	defer e.mu.Unlock()

	return append([]launch.Launch(nil), e.launches...)
}

// page is one response the browser ended on.
type page struct {
	status   int
	body     string
	location string
	url      *url.URL
}

// browser follows redirects with a cookie jar, like a learner's browser,
// and stops at the learner app.
type browser struct {
	t      *testing.T
	c      *http.Client
	vapURL string

	mu             sync.Mutex
	callbacks      []string
	stopAtCallback bool
}

func newBrowser(t *testing.T, vap *httptest.Server) *browser {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)

	// A copy of the server's client: each browser has its own jar.
	client := *vap.Client()
	b := &browser{t: t, c: &client, vapURL: vap.URL}
	b.c.Jar = jar
	b.c.CheckRedirect = func(r *http.Request, _ []*http.Request) error {
		b.mu.Lock()
		defer b.mu.Unlock()

		if r.URL.Path == callback {
			b.callbacks = append(b.callbacks, r.URL.String())
			if b.stopAtCallback {
				return http.ErrUseLastResponse
			}
		}

		if r.URL.Host == learnerHost {
			return http.ErrUseLastResponse
		}

		return nil
	}

	return b
}

func (b *browser) do(req *http.Request) page {
	b.t.Helper()
	resp, err := b.c.Do(req)
	require.NoError(b.t, err)
	defer func() { _ = resp.Body.Close() }()

	body, err := io.ReadAll(resp.Body)
	require.NoError(b.t, err)

	return page{status: resp.StatusCode, body: string(body),
		location: resp.Header.Get("Location"), url: resp.Request.URL}
}

func (b *browser) get(raw string) page {
	req, err := http.NewRequest(http.MethodGet, raw, nil)
	require.NoError(b.t, err)

	return b.do(req)
}

// start opens a VAP sign-in URL and ends on the provider's login page (or
// an error page).
func (b *browser) start(path string, q url.Values) page {
	return b.get(b.vapURL + path + "?" + q.Encode())
}

// post submits a form, as a partner's auto-posting page does.
func (b *browser) post(path string, form url.Values) page {
	req, err := http.NewRequest(http.MethodPost, b.vapURL+path,
		strings.NewReader(form.Encode()))
	require.NoError(b.t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")

	return b.do(req)
}

// signIn fills the provider's login page and follows the redirects back
// through VAP's callback.
func (b *browser) signIn(login page) page {
	b.t.Helper()
	require.Equal(b.t, http.StatusOK, login.status, login.body)
	require.Equal(b.t, "/login/username", login.url.Path)

	form := url.Values{"id": {login.url.Query().Get("authRequestID")},
		"username": {userName}, "password": {userPassword}}
	req, err := http.NewRequest(http.MethodPost,
		login.url.Scheme+"://"+login.url.Host+"/login/username", strings.NewReader(form.Encode()))
	require.NoError(b.t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")

	return b.do(req)
}

func (b *browser) lastCallback() string {
	b.mu.Lock()
	defer b.mu.Unlock()

	require.NotEmpty(b.t, b.callbacks)
	return b.callbacks[len(b.callbacks)-1]
}

func (b *browser) setStopAtCallback(on bool) {
	b.mu.Lock()
	defer b.mu.Unlock()

	b.stopAtCallback = on
}

func target(cohort string) url.Values {
	return url.Values{"partner": {partnerA}, "cohort": {cohort}, "case": {"acs-chest-pain"}}
}

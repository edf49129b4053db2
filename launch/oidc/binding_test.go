package oidc_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/launch/oidc"
)

// seen records what the provider received: the authorization requests'
// query parameters and the token requests' form parameters.
type seen struct {
	mu    sync.Mutex
	auth  []url.Values
	token []url.Values
}

// watch makes the provider record every authorization and token request.
func watch(o *testOP) *seen {
	s := &seen{}
	hook := func(r *http.Request) {
		switch r.URL.Path {
		case "/authorize":
			s.add(&s.auth, r.URL.Query())
		case "/oauth/token":
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			form, _ := url.ParseQuery(string(body))
			s.add(&s.token, form)
		}
	}
	o.requestHook.Store(&hook)

	return s
}

func (s *seen) add(list *[]url.Values, v url.Values) {
	s.mu.Lock()
	defer s.mu.Unlock()

	*list = append(*list, v)
}

func (s *seen) last(t *testing.T) (auth, token url.Values) {
	s.mu.Lock()
	defer s.mu.Unlock()

	require.NotEmpty(t, s.auth)
	require.NotEmpty(t, s.token)

	return s.auth[len(s.auth)-1], s.token[len(s.token)-1]
}

// modes are the two ways of keeping flows.
var modes = []struct {
	name    string
	cookies bool
	prefix  string
}{
	{name: "memory flows", prefix: oidc.BinderCookiePrefix},
	{name: "cookie flows", cookies: true, prefix: oidc.CookiePrefix},
}

// withMode keeps flows in cookies when cookies is set, else in memory.
func withMode(t *testing.T, cookies bool) func(*env, *setup) {
	return func(_ *env, s *setup) {
		if cookies {
			s.handler.Cookies = cookieFlows(t)
		}
	}
}

// TestCallbackInAnotherBrowser is login CSRF: an attacker signs in with
// their own account, stops before the callback and makes a victim's
// browser open the callback URL. The victim's browser lacks the flow's
// cookie, so nobody is signed in, and the flow stays usable by the
// browser that started it.
func TestCallbackInAnotherBrowser(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			e := newEnv(t, withMode(t, m.cookies))
			e.browser.setStopAtCallback(true)
			stopped := e.browser.signIn(e.browser.start("/sso/login", target("c-1")))
			require.Equal(t, http.StatusFound, stopped.status, stopped.body)
			cb := e.browser.lastCallback()
			u, err := url.Parse(cb)
			require.NoError(t, err)

			victim := newBrowser(t, e.vap)
			end := victim.get(cb)
			assert.Equal(t, http.StatusBadRequest, end.status)
			assert.Contains(t, end.body, "state_mismatch")

			// A forged cookie under the flow's name does not help either.
			forger := newBrowser(t, e.vap)
			name := m.prefix + oidc.StateKey(u.Query().Get("state"))[:32]
			forged := base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{1}, 32))
			forger.c.Jar.SetCookies(u, []*http.Cookie{{Name: name, Value: forged,
				Path: callback, Secure: true}})
			end = forger.get(cb)
			assert.Equal(t, http.StatusBadRequest, end.status)
			assert.Contains(t, end.body, "state_mismatch")
			assert.Empty(t, e.recorded())

			// The browser that started the sign-in can still end it.
			end = e.browser.get(cb)
			require.Equal(t, http.StatusOK, end.status, end.body)
			assert.Len(t, e.recorded(), 1)
		})
	}
}

// TestFlowCookieAttributes checks the cookie each login sets, the binding
// cookie of a FlowStore as the sealed flow cookie.
func TestFlowCookieAttributes(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			e := newEnv(t, withMode(t, m.cookies))
			client := *e.vap.Client()
			client.CheckRedirect = func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse
			}

			var names []string
			for range 2 {
				resp, err := client.Get(e.vap.URL + "/sso/login?" + target("c-1").Encode())
				require.NoError(t, err)
				_ = resp.Body.Close()
				require.Equal(t, http.StatusFound, resp.StatusCode)

				cookies := resp.Cookies()
				require.Len(t, cookies, 1)
				ck := cookies[0]
				assert.True(t, strings.HasPrefix(ck.Name, m.prefix), ck.Name)
				assert.True(t, ck.Secure && ck.HttpOnly && ck.Partitioned)
				assert.Equal(t, http.SameSiteNoneMode, ck.SameSite)
				assert.Equal(t, callback, ck.Path)
				assert.InDelta(t, oidc.DefaultFlowTTL.Seconds(), ck.MaxAge, 2)

				loc, err := url.Parse(resp.Header.Get("Location"))
				require.NoError(t, err)
				state := loc.Query().Get("state")
				assert.Equal(t, m.prefix+oidc.StateKey(state)[:32], ck.Name)
				assert.NotContains(t, ck.Value, state)
				names = append(names, ck.Name)
			}

			assert.NotEqual(t, names[0], names[1], "each flow has its own cookie")
		})
	}
}

// TestPKCE checks that the challenge is always S256 and that the verifier
// sent with the code is the challenge's preimage.
func TestPKCE(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			e := newEnv(t, withMode(t, m.cookies))
			s := watch(e.op)

			end := e.browser.signIn(e.browser.start("/sso/login", target("c-1")))
			require.Equal(t, http.StatusOK, end.status, end.body)

			auth, token := s.last(t)
			assert.Equal(t, "S256", auth.Get("code_challenge_method"))
			verifier := token.Get("code_verifier")
			require.GreaterOrEqual(t, len(verifier), 43)
			sum := sha256.Sum256([]byte(verifier))
			assert.Equal(t, base64.RawURLEncoding.EncodeToString(sum[:]),
				auth.Get("code_challenge"))
		})
	}
}

// TestClientAssertionAudience checks that the private_key_jwt assertion's
// "aud" is one string: the issuer by default, which zitadel's provider
// requires, or the token endpoint, which it refuses.
func TestClientAssertionAudience(t *testing.T) {
	tests := []struct {
		name          string
		tokenEndpoint bool
		status        int
	}{
		{name: "issuer", status: http.StatusOK},
		{name: "token endpoint", tokenEndpoint: true, status: http.StatusBadGateway},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, func(_ *env, s *setup) {
				s.partners[0].ClientID = jwtClient
				s.partners[0].ClientAuth = oidc.ClientAuth{Key: clientKey, KeyID: clientKeyID,
					TokenEndpointAudience: tt.tokenEndpoint}
			})
			s := watch(e.op)

			end := e.browser.signIn(e.browser.start("/sso/login", target("c-1")))
			assert.Equal(t, tt.status, end.status, end.body)

			_, token := s.last(t)
			parts := strings.Split(token.Get("client_assertion"), ".")
			require.Len(t, parts, 3)
			payload, err := base64.RawURLEncoding.DecodeString(parts[1])
			require.NoError(t, err)

			var claims map[string]json.RawMessage
			require.NoError(t, json.Unmarshal(payload, &claims))
			want := e.op.issuer
			if tt.tokenEndpoint {
				want = e.op.issuer + "/oauth/token"
			}

			var aud string
			require.NoError(t, json.Unmarshal(claims["aud"], &aud), "aud is one string")
			assert.Equal(t, want, aud)
		})
	}
}

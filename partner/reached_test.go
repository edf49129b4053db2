package partner_test

import (
	"context"
	"crypto/x509"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/partner"
	"github.com/virtualaipatient/integration/reporting"
)

// scriptedTransport answers round trips with the next step of a script,
// then passes them to next. It records how many round trips it saw.
type scriptedTransport struct {
	next  http.RoundTripper
	mu    sync.Mutex
	steps []func(r *http.Request, next http.RoundTripper) (*http.Response, error)
	trips int
}

func (s *scriptedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	s.mu.Lock()
	s.trips++
	var step func(*http.Request, http.RoundTripper) (*http.Response, error)
	if len(s.steps) > 0 {
		step, s.steps = s.steps[0], s.steps[1:]
	}
	s.mu.Unlock()

	if step == nil {
		return s.next.RoundTrip(r)
	}

	return step(r, s.next)
}

func (s *scriptedTransport) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()

	return s.trips
}

// failWith fails a round trip with err before anything is sent, firing no
// trace callback.
func failWith(err error) func(*http.Request, http.RoundTripper) (*http.Response, error) {
	return func(*http.Request, http.RoundTripper) (*http.Response, error) { return nil, err }
}

// sendThenFail sends the request on a context without the client's trace,
// so that no callback fires, reads the answer and then reports a failure:
// a transport that delivered the request but lost the response.
func sendThenFail(r *http.Request, next http.RoundTripper) (*http.Response, error) {
	resp, err := next.RoundTrip(r.Clone(context.Background()))
	if err == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
	}

	return nil, errors.New("stream reset by peer")
}

// connectedThenDialError reports a connection to the trace, then fails
// with an error shaped like a dial failure: the trace wins.
func connectedThenDialError(r *http.Request, _ http.RoundTripper) (*http.Response, error) {
	if tr := httptrace.ContextClientTrace(r.Context()); tr != nil && tr.GotConn != nil {
		tr.GotConn(httptrace.GotConnInfo{})
	}

	return nil, &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
}

func TestLaunchRetryOnlyWhenNeverSent(t *testing.T) {
	dial := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	tests := []struct {
		name      string
		steps     []func(*http.Request, http.RoundTripper) (*http.Response, error)
		wantTrips int
		wantHits  int
		wantErr   error
	}{
		{name: "dial error is retried",
			steps:     scriptOf(failWith(dial)),
			wantTrips: 2, wantHits: 1},
		{name: "dns error is retried",
			steps: scriptOf(failWith(&net.DNSError{Err: "no such host", Name: "vap.example",
				IsNotFound: true})),
			wantTrips: 2, wantHits: 1},
		{name: "refused certificate is retried",
			steps:     scriptOf(failWith(x509.UnknownAuthorityError{})),
			wantTrips: 2, wantHits: 1},
		{name: "sent without trace callbacks, then failed",
			steps:     scriptOf(sendThenFail),
			wantTrips: 1, wantHits: 1, wantErr: partner.ErrLaunchOutcomeUnknown},
		{name: "unclassified error is not retried",
			steps:     scriptOf(failWith(errors.New("dial tcp: connection refused"))),
			wantTrips: 1, wantHits: 0, wantErr: partner.ErrLaunchOutcomeUnknown},
		{name: "dial error after a connection is not retried",
			steps:     scriptOf(connectedThenDialError),
			wantTrips: 1, wantHits: 0, wantErr: partner.ErrLaunchOutcomeUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			tr := &scriptedTransport{next: e.vap.Client().Transport, steps: tt.steps}
			c := newClientWith(t, e, e.vap.URL, &http.Client{Transport: tr})

			res, err := c.Launch(context.Background(), learner("learner-001"))
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				assert.Nil(t, res)
			} else {
				require.NoError(t, err)
				assert.NotEmpty(t, res.SessionID)
			}

			assert.Equal(t, tt.wantTrips, tr.count(), "round trips")
			assert.Equal(t, tt.wantHits, e.launchCount(), "launches that reached VAP")
		})
	}
}

func TestLaunchRetryWithRealTransport(t *testing.T) {
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	refusedURL := "http://" + closed.Addr().String()
	require.NoError(t, closed.Close())

	hits := 0
	var mu sync.Mutex
	count := func(w http.ResponseWriter, _ *http.Request) {
		mu.Lock()
		hits++
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}
	untrusted := httptest.NewUnstartedServer(http.HandlerFunc(count))
	untrusted.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes
	untrusted.StartTLS()
	t.Cleanup(untrusted.Close)

	tests := []struct {
		name    string
		baseURL string
	}{
		{name: "connection refused", baseURL: refusedURL},
		{name: "server certificate not trusted", baseURL: untrusted.URL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			base := http.DefaultTransport.(*http.Transport).Clone()
			t.Cleanup(base.CloseIdleConnections)
			tr := &scriptedTransport{next: base}
			c := newClientWith(t, e, tt.baseURL, &http.Client{Transport: tr})

			_, err := c.Launch(context.Background(), learner("learner-001"))
			require.Error(t, err)
			assert.NotErrorIs(t, err, partner.ErrLaunchOutcomeUnknown,
				"nothing was sent: the launch may be retried")
			assert.Equal(t, partner.DefaultMaxAttempts, tr.count(), "every attempt made")
		})
	}

	mu.Lock()
	defer mu.Unlock()
	assert.Zero(t, hits, "no request got past the handshake")
}

func scriptOf(
	steps ...func(*http.Request, http.RoundTripper) (*http.Response, error),
) []func(*http.Request, http.RoundTripper) (*http.Response, error) {
	return steps
}

// newClientWith returns a client of e's partner on baseURL through hc,
// whose retry waits return at once.
func newClientWith(t *testing.T, e *env, baseURL string, hc *http.Client) *partner.Client {
	t.Helper()
	c, err := partner.NewClient(partner.ClientConfig{BaseURL: baseURL + reporting.DefaultBasePath,
		Ring: e.ring, APIAudience: apiAud, HTTPClient: hc, Now: e.clock.Now})
	require.NoError(t, err)
	partner.SetSleep(c, func(context.Context, time.Duration) error { return nil })

	return c
}

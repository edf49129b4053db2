package partner_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/partner"
	"github.com/virtualaipatient/integration/reporting"
)

func TestParseRetryAfter(t *testing.T) {
	now := newClock().Now()
	tests := []struct {
		name  string
		value string
		want  time.Duration
	}{
		{name: "absent", value: "", want: 0},
		{name: "seconds", value: "7", want: 7 * time.Second},
		{name: "spaces", value: " 3 ", want: 3 * time.Second},
		{name: "negative", value: "-5", want: 0},
		{name: "huge is capped", value: "99999999999999999", want: 24 * time.Hour},
		{name: "more digits than an int64 saturates", value: "99999999999999999999",
			want: 24 * time.Hour},
		{name: "date", value: now.Add(90 * time.Second).Format(http.TimeFormat),
			want: 90 * time.Second},
		{name: "date in the past", value: now.Add(-time.Minute).Format(http.TimeFormat), want: 0},
		{name: "garbage", value: "soon", want: 0},
		{name: "fraction", value: "1.5", want: 0},
		{name: "far date is capped", value: "Fri, 31 Dec 9999 23:59:59 GMT", want: 24 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, partner.ParseRetryAfter(tt.value, now))
		})
	}
}

func FuzzParseRetryAfter(f *testing.F) {
	now := newClock().Now()
	for _, seed := range []string{"", "1", "120", "-1", "Mon, 02 Mar 2026 09:00:03 GMT", "1e9"} {
		f.Add(seed)
	}

	f.Fuzz(func(t *testing.T, v string) {
		d := partner.ParseRetryAfter(v, now)
		if d < 0 || d > 24*time.Hour {
			t.Fatalf("retry after %q gave %v", v, d)
		}
	})
}

func TestNewClientConfig(t *testing.T) {
	ring := newRing(t, newClock().Now, newKey(t))
	const aud = "https://vap.example/api"
	tests := []struct {
		name    string
		cfg     partner.ClientConfig
		wantErr bool
	}{
		{name: "https", cfg: partner.ClientConfig{BaseURL: "https://vap.example/api", Ring: ring,
			APIAudience: aud}},
		{name: "loopback http",
			cfg: partner.ClientConfig{BaseURL: "http://127.0.0.1:8080", Ring: ring, APIAudience: aud}},
		{name: "localhost http",
			cfg: partner.ClientConfig{BaseURL: "http://localhost/", Ring: ring, APIAudience: aud}},
		{name: "ring without API audience nor token source",
			cfg: partner.ClientConfig{BaseURL: "https://vap.example/api", Ring: ring}, wantErr: true},
		{name: "plain http", cfg: partner.ClientConfig{BaseURL: "http://vap.example", Ring: ring},
			wantErr: true},
		{name: "insecure http", cfg: partner.ClientConfig{BaseURL: "http://vap.example", Ring: ring,
			APIAudience: aud, InsecureAllowHTTP: true}},
		{name: "relative", cfg: partner.ClientConfig{BaseURL: "/api", Ring: ring}, wantErr: true},
		{name: "query", cfg: partner.ClientConfig{BaseURL: "https://vap.example/?a=b", Ring: ring},
			wantErr: true},
		{name: "no ring nor token source",
			cfg: partner.ClientConfig{BaseURL: "https://vap.example"}, wantErr: true},
		{name: "bad form origin", cfg: partner.ClientConfig{BaseURL: "https://vap.example",
			Ring: ring, FormActionOrigins: []string{"javascript:alert(1)"}}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := partner.NewClient(tt.cfg)
			if tt.wantErr {
				assert.ErrorIs(t, err, partner.ErrConfig)
				assert.Nil(t, c)

				return
			}

			require.NoError(t, err)
			assert.NotNil(t, c)
		})
	}
}

func TestAPIErrorMatching(t *testing.T) {
	tests := []struct {
		status int
		want   error
		// bare is whether a bare error (no problem document) still matches.
		bare bool
	}{
		{status: http.StatusBadRequest, want: partner.ErrBadRequest},
		{status: http.StatusUnprocessableEntity, want: partner.ErrBadRequest},
		{status: http.StatusUnauthorized, want: partner.ErrUnauthorized},
		{status: http.StatusForbidden, want: partner.ErrForbidden},
		{status: http.StatusNotFound, want: partner.ErrNotFound},
		{status: http.StatusConflict, want: partner.ErrConflict},
		{status: http.StatusTooManyRequests, want: partner.ErrRateLimited, bare: true},
		{status: http.StatusServiceUnavailable, want: partner.ErrUnavailable, bare: true},
		{status: http.StatusBadGateway, want: partner.ErrUnavailable, bare: true},
		{status: http.StatusGatewayTimeout, want: partner.ErrUnavailable, bare: true},
	}
	for _, tt := range tests {
		t.Run(http.StatusText(tt.status), func(t *testing.T) {
			code := "some_code"
			if tt.status == http.StatusNotFound {
				code = reporting.CodeNotFound
			}

			problem := &partner.APIError{Op: "get assignment", Status: tt.status, Code: code}
			assert.ErrorIs(t, problem, tt.want)
			assert.NotErrorIs(t, problem, partner.ErrConfig)

			bare := &partner.APIError{Op: "get assignment", Status: tt.status}
			assert.Equal(t, tt.bare, errors.Is(bare, tt.want),
				"a bare answer is not VAP's verdict on the record")
		})
	}

	err := &partner.APIError{Op: "get assignment", Status: 500, Code: "internal"}
	assert.Equal(t, "partner: get assignment: vap answered 500 internal", err.Error())
	assert.NotErrorIs(t, err, partner.ErrUnavailable)

	noEndpoint := &partner.APIError{Op: "get session summary", Status: 404,
		Code: reporting.CodeNoEndpoint}
	assert.NotErrorIs(t, noEndpoint, partner.ErrNotFound, "a wrong path is no missing record")

	bare := &partner.APIError{Op: "get session summary", Status: 404}
	assert.Contains(t, bare.Error(), "without a problem document")
	assert.Contains(t, bare.Error(), "BaseURL")
}

func TestBackoff(t *testing.T) {
	p := partner.RetryPolicy{BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second}
	tests := []struct {
		name  string
		retry int
		upper time.Duration
	}{
		{name: "first", retry: 1, upper: 100 * time.Millisecond},
		{name: "second doubles", retry: 2, upper: 200 * time.Millisecond},
		{name: "fourth", retry: 4, upper: 800 * time.Millisecond},
		{name: "capped", retry: 5, upper: time.Second},
		{name: "far past the cap", retry: 80, upper: time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for range 50 {
				d := partner.Backoff(p, tt.retry)
				assert.GreaterOrEqual(t, d, tt.upper/2)
				assert.LessOrEqual(t, d, tt.upper)
			}
		})
	}
}

func TestRetryWithRealWait(t *testing.T) {
	e := newEnv(t)
	e.faults.add(statusOnly(http.StatusServiceUnavailable))
	c, err := partner.NewClient(partner.ClientConfig{
		BaseURL: e.vap.URL + reporting.DefaultBasePath, Ring: e.ring, APIAudience: apiAud,
		HTTPClient: e.vap.Client(), Now: e.clock.Now,
		Retry: partner.RetryPolicy{BaseDelay: time.Millisecond, MaxDelay: time.Millisecond},
	})
	require.NoError(t, err)

	_, err = c.Cases(context.Background(), "")
	require.NoError(t, err)
	assert.Equal(t, 2, e.faults.count("GET /cases"))

	e.faults.add(unavailable("1"))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = c.Cases(ctx, "")
	assert.ErrorIs(t, err, context.Canceled)
}

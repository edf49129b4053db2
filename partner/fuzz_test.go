package partner_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/partner"
)

// cannedResponse answers every request with one fixed response.
type cannedResponse struct {
	status      int
	contentType string
	body        string
}

func (c cannedResponse) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{
		StatusCode: c.status, Header: http.Header{"Content-Type": {c.contentType}},
		Body: io.NopCloser(strings.NewReader(c.body)), Request: r,
	}, nil
}

func FuzzClientResponse(f *testing.F) {
	f.Add(200, "application/json", `{"session_id":"x","revision":3}`)
	f.Add(404, "application/problem+json", `{"status":404,"code":"not_found"}`)
	f.Add(503, "application/problem+json", `{"code":`)
	f.Add(200, "text/html", `<html>`)
	f.Add(200, "application/json", `{"started_at":"yesterday"}`)
	f.Add(204, "", "")

	ring := newRing(f, newClock().Now, newKey(f))
	f.Fuzz(func(t *testing.T, status int, contentType, body string) {
		if status < 100 || status > 999 {
			return
		}

		c, err := partner.NewClient(partner.ClientConfig{
			BaseURL: "https://vap.example/api", Ring: ring, APIAudience: apiAud,
			HTTPClient: &http.Client{Transport: cannedResponse{status, contentType, body}},
			Retry:      partner.RetryPolicy{MaxAttempts: 1},
		})
		if err != nil {
			t.Fatal(err)
		}

		_, err = c.Summary(context.Background(), "7d1f9c36-0000-4000-8000-000000000000")
		var apiErr *partner.APIError
		switch {
		case err == nil:
			if status < 200 || status > 299 {
				t.Fatalf("status %d accepted", status)
			}
		case errors.As(err, &apiErr):
			wait := apiErr.RetryAfter
			if apiErr.Status != status || wait < 0 || wait > 24*time.Hour {
				t.Fatalf("bad API error %+v for status %d", apiErr, status)
			}
		case !errors.Is(err, partner.ErrResponse):
			t.Fatalf("unexpected error %v", err)
		}
	})
}

func TestSessionPagesStuckCursor(t *testing.T) {
	ring := newRing(t, newClock().Now, newKey(t))
	stuck := cannedResponse{status: 200, contentType: "application/json",
		body: `{"sessions":[],"next_cursor":"c1","has_more":true}`}
	c, err := partner.NewClient(partner.ClientConfig{BaseURL: "https://vap.example/api",
		Ring: ring, APIAudience: apiAud, HTTPClient: &http.Client{Transport: stuck}})
	require.NoError(t, err)

	var errs []error
	for _, err := range c.SessionPages(context.Background(), partner.SessionQuery{Cursor: "c0"}) {
		errs = append(errs, err)
	}

	// c0 advances to c1; c1 does not advance.
	require.Len(t, errs, 3)
	assert.NoError(t, errs[0])
	assert.NoError(t, errs[1])
	assert.ErrorIs(t, errs[2], partner.ErrResponse)
}

// cyclingCursors answers every page with more to come and a next cursor
// that alternates between two values.
type cyclingCursors struct{}

func (cyclingCursors) RoundTrip(r *http.Request) (*http.Response, error) {
	next := "A"
	if r.URL.Query().Get("cursor") == "A" {
		next = "B"
	}

	body := `{"sessions":[],"next_cursor":"` + next + `","has_more":true}`
	return &http.Response{
		StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(body)), Request: r,
	}, nil
}

// TestSessionPagesCursorCycle checks that cursors going round in a cycle
// end the iteration with ErrResponse instead of paging for ever.
func TestSessionPagesCursorCycle(t *testing.T) {
	ring := newRing(t, newClock().Now, newKey(t))
	c, err := partner.NewClient(partner.ClientConfig{BaseURL: "https://vap.example/api",
		Ring: ring, APIAudience: apiAud, HTTPClient: &http.Client{Transport: cyclingCursors{}}})
	require.NoError(t, err)

	var errs []error
	for _, err := range c.SessionPages(context.Background(), partner.SessionQuery{}) {
		errs = append(errs, err)
		require.Less(t, len(errs), 10, "the iteration does not end")
	}

	// No cursor → A, A → B, B → A again.
	require.Len(t, errs, 4)
	assert.ErrorIs(t, errs[3], partner.ErrResponse)
}

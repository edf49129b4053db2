package webhook

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	const limit = time.Hour
	tests := []struct {
		name  string
		value string
		want  time.Duration
	}{
		{name: "absent", value: "", want: 0},
		{name: "seconds", value: "7", want: 7 * time.Second},
		{name: "spaces", value: " 30 ", want: 30 * time.Second},
		{name: "zero", value: "0", want: 0},
		{name: "seconds capped", value: "7200", want: limit},
		{name: "more digits than a uint64", value: "99999999999999999999999", want: limit},
		{name: "negative", value: "-5", want: 0},
		{name: "fraction", value: "1.5", want: 0},
		{name: "garbage", value: "soon", want: 0},
		{name: "http date", value: now.Add(90 * time.Second).Format(http.TimeFormat),
			want: 90 * time.Second},
		{name: "rfc 850 date", value: now.Add(time.Minute).Format(time.RFC850),
			want: time.Minute},
		{name: "asctime date", value: now.Add(time.Minute).Format(time.ANSIC),
			want: time.Minute},
		{name: "date in the past", value: now.Add(-time.Minute).Format(http.TimeFormat),
			want: 0},
		{name: "date capped", value: "Fri, 31 Dec 9999 23:59:59 GMT", want: limit},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp := &http.Response{Header: http.Header{}}
			if tc.value != "" {
				resp.Header.Set("Retry-After", tc.value)
			}

			assert.Equal(t, tc.want, retryAfter(resp, now, limit))
		})
	}

	assert.Zero(t, retryAfter(nil, now, limit), "no response")
}

func FuzzRetryAfter(f *testing.F) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	for _, seed := range []string{"", "1", "120", "-1", "Mon, 02 Mar 2026 09:00:03 GMT", "1e9"} {
		f.Add(seed)
	}

	f.Fuzz(func(t *testing.T, v string) {
		resp := &http.Response{Header: http.Header{"Retry-After": {v}}}
		if d := retryAfter(resp, now, time.Hour); d < 0 || d > time.Hour {
			t.Fatalf("retry after %q gave %v", v, d)
		}
	})
}

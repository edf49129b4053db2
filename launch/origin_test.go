package launch

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFormOrigins(t *testing.T) {
	tests := []struct {
		name    string
		issuer  string
		origins []string
		want    []string
	}{
		{name: "default is the issuer's origin", issuer: "https://LMS.example.edu/tenant/7",
			want: []string{"https://lms.example.edu"}},
		{name: "default keeps a port", issuer: "https://lms.example.edu:8443",
			want: []string{"https://lms.example.edu:8443"}},
		{name: "default drops the https port", issuer: "https://lms.example.edu:443/",
			want: []string{"https://lms.example.edu"}},
		{name: "default on loopback http", issuer: "http://127.0.0.1:9000",
			want: []string{"http://127.0.0.1:9000"}},
		{name: "no default for an issuer that is not a URL", issuer: "lms", want: nil},
		{name: "no default for plain http", issuer: "http://lms.example.edu", want: nil},
		{name: "configured replace the default", issuer: testIssuer,
			origins: []string{"https://Courses.example.edu", "http://[::1]:80",
				"https://courses.example.edu:443"},
			want: []string{"https://courses.example.edu", "http://[::1]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := testPartner(ES256)
			p.Issuer, p.FormOrigins = tt.issuer, tt.origins
			mt, err := NewMinter(MinterConfig{Issuer: tt.issuer, Audience: testAudience,
				Signer: ecKey, KeyID: "k1", Now: fixedClock(t0)})
			require.NoError(t, err)

			l, err := newTestVerifier(t, t0, p).Verify(context.Background(), mustMint(t, mt))
			require.NoError(t, err)
			assert.Equal(t, tt.want, l.FormOrigins)
		})
	}
}

func TestFormOriginsConfig(t *testing.T) {
	tests := []struct {
		name   string
		origin string
	}{
		{name: "path", origin: "https://lms.example.edu/"},
		{name: "query", origin: "https://lms.example.edu?x=1"},
		{name: "fragment", origin: "https://lms.example.edu#x"},
		{name: "user info", origin: "https://u@lms.example.edu"},
		{name: "plain http", origin: "http://lms.example.edu"},
		{name: "other scheme", origin: "ftp://lms.example.edu"},
		{name: "no scheme", origin: "lms.example.edu"},
		{name: "null", origin: "null"},
		{name: "empty", origin: ""},
		{name: "wildcard", origin: "*"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := testPartner(ES256)
			p.FormOrigins = []string{"https://ok.example.edu", tt.origin}
			_, err := NewVerifier(VerifierConfig{Partners: []Partner{p}})
			require.ErrorIs(t, err, ErrConfig)
			assert.Contains(t, err.Error(), "form origin")
		})
	}
}

func TestAllowsFormOrigin(t *testing.T) {
	l := &Launch{FormOrigins: []string{"https://lms.example.edu", "http://127.0.0.1:9000"}}
	tests := []struct {
		name   string
		origin string
		want   bool
	}{
		{name: "listed", origin: "https://lms.example.edu", want: true},
		{name: "listed with another case", origin: "HTTPS://LMS.example.edu", want: true},
		{name: "listed with the default port", origin: "https://lms.example.edu:443", want: true},
		{name: "listed loopback", origin: "http://127.0.0.1:9000", want: true},
		{name: "other host", origin: "https://evil.example", want: false},
		{name: "sub-domain", origin: "https://x.lms.example.edu", want: false},
		{name: "suffix", origin: "https://lms.example.edu.evil.example", want: false},
		{name: "other scheme", origin: "http://lms.example.edu", want: false},
		{name: "other port", origin: "https://lms.example.edu:8443", want: false},
		{name: "opaque null", origin: "null", want: false},
		{name: "empty", origin: "", want: false},
		{name: "with a path", origin: "https://lms.example.edu/x", want: false},
		{name: "user info", origin: "https://lms.example.edu@evil.example", want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, l.AllowsFormOrigin(tt.origin))
		})
	}

	assert.False(t, (&Launch{}).AllowsFormOrigin("https://lms.example.edu"),
		"no origin is allowed when none is listed")
}

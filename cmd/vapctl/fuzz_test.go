package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// FuzzInspect feeds untrusted input to inspect and doctor's decoder: no
// panic, and a decoded token always has a header and claims.
func FuzzInspect(f *testing.F) {
	f.Add("eyJhbGciOiJFUzI1NiJ9.eyJleHAiOjF9.c2ln")
	f.Add("a.b.c.d.e")
	f.Add("e30.e30.")
	f.Add("eyJleHAiOiIxIn0.W10.x")
	f.Fuzz(func(t *testing.T, token string) {
		d, err := decodeUnverified(token)
		if err == nil && (d.Header == nil || d.Claims == nil) {
			t.Fatal("decoded token without header or claims")
		}

		if err == nil {
			_ = timeClaims(d.Claims, time.Unix(0, 0))
		}

		var out, errOut bytes.Buffer
		runEnv(envFixed(time.Unix(0, 0)), []string{"inspect", "--json"}, strings.NewReader(token), &out, &errOut)
	})
}

package launch

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/internal/testlog"
)

// jwksServer serves whatever body and status the test sets, and counts
// requests.
type jwksServer struct {
	*httptest.Server
	body   atomic.Value
	status atomic.Int32
	hits   atomic.Int32
	delay  time.Duration
}

func newJWKSServer(t *testing.T, body string) *jwksServer {
	s := &jwksServer{}
	s.body.Store(body)
	s.status.Store(http.StatusOK)
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		if s.delay > 0 {
			time.Sleep(s.delay)
		}
		w.WriteHeader(int(s.status.Load()))
		_, _ = w.Write([]byte(s.body.Load().(string)))
	}))
	t.Cleanup(s.Close)

	return s
}

func jwksOf(t *testing.T, keys ...PublicKey) string {
	t.Helper()
	parts := make([]string, len(keys))
	for i, k := range keys {
		b, err := MarshalPublicJWK(k)
		require.NoError(t, err)
		parts[i] = string(b)
	}

	return `{"keys":[` + strings.Join(parts, ",") + `]}`
}

// rawJWK encodes any key, even one this package refuses to publish.
func rawJWK(t *testing.T, key any, kid string) string {
	t.Helper()
	jwk, err := jwkset.NewJWKFromKey(key, jwkset.JWKOptions{Metadata: jwkset.JWKMetadataOptions{KID: kid}})
	require.NoError(t, err)
	b, err := json.Marshal(jwk.Marshal())
	require.NoError(t, err)

	return string(b)
}

func remoteVerifier(t *testing.T, url string, cooldown time.Duration) *Verifier {
	t.Helper()
	p := testPartner(ES256)
	p.Keys, p.JWKSURL = nil, url
	v, err := NewVerifier(VerifierConfig{
		Partners: []Partner{p}, Now: fixedClock(t0), JWKSCooldown: cooldown,
		JWKSTimeout: 2 * time.Second, JWKSMaxBytes: 8 << 10,
	})
	require.NoError(t, err)
	t.Cleanup(v.Close)

	return v
}

// waitIdle waits for the fetch under way, if any.
func waitIdle(v *Verifier) {
	for _, r := range v.remotes {
		if done := r.pending(); done != nil {
			<-done
		}
	}
}

func newECKey(t *testing.T) *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)

	return k
}

func mintWith(t *testing.T, key *ecdsa.PrivateKey, kid string) string {
	t.Helper()
	m, err := NewMinter(MinterConfig{
		Issuer: testIssuer, Audience: testAudience, Signer: key, KeyID: kid, Now: fixedClock(t0),
	})
	require.NoError(t, err)

	return mustMint(t, m)
}

func TestRemoteKeys(t *testing.T) {
	loadTestKeys()
	k1 := PublicKey{KeyID: "k1", Key: ecKey.Public()}
	small, err := testRSA1024()
	require.NoError(t, err)

	tests := []struct {
		name    string
		body    string
		token   func(t *testing.T) string
		wantErr error
	}{
		{"key from the set",
			jwksOf(t, k1), func(t *testing.T) string { return mintWith(t, ecKey, "k1") }, nil},
		{"single key without kid",
			jwksOf(t, k1), func(t *testing.T) string { return mintWith(t, ecKey, "") }, nil},
		{"unknown kid",
			jwksOf(t, k1), func(t *testing.T) string { return mintWith(t, ecKey, "k9") }, ErrKeyNotFound},
		{"unusable members skipped", `{"keys":[` +
			`{"kty":"oct","kid":"s","k":"` + b64(string(testSecret)) + `"},` +
			rawJWK(t, &small.PublicKey, "weak") + `,` +
			`{"kty":"OKP","crv":"Ed448","kid":"ed448","x":"AAAA"},` +
			strings.TrimSuffix(strings.TrimPrefix(jwksOf(t, k1), `{"keys":[`), "]}") + `]}`,
			func(t *testing.T) string { return mintWith(t, ecKey, "k1") }, nil},
		{"symmetric member never used",
			`{"keys":[{"kty":"oct","kid":"k1","k":"` + b64(string(testSecret)) + `"}]}`,
			func(t *testing.T) string {
				return craft(t, HS256, `{"alg":"HS256","typ":"vap-launch+jwt","kid":"k1"}`, launchClaims(t0, nil))
			}, ErrAlgorithmNotAllowed},
		{"empty set",
			`{"keys":[]}`, func(t *testing.T) string { return mintWith(t, ecKey, "k1") }, ErrKeySetUnavailable},
		{"response too large", `{"keys":[],"pad":"` + strings.Repeat("x", 9<<10) + `"}`,
			func(t *testing.T) string { return mintWith(t, ecKey, "k1") }, ErrKeySetUnavailable},
		{"not JSON",
			"<html>", func(t *testing.T) string { return mintWith(t, ecKey, "k1") }, ErrKeySetUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newJWKSServer(t, tt.body)
			v := remoteVerifier(t, srv.URL, time.Hour)
			waitIdle(v)

			_, err := v.Verify(context.Background(), tt.token(t))
			if tt.wantErr == nil {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, tt.wantErr)
			}
		})
	}
}

func TestRemoteKeysRefresh(t *testing.T) {
	loadTestKeys()
	k2 := newECKey(t)
	first := jwksOf(t, PublicKey{KeyID: "k1", Key: ecKey.Public()})
	both := jwksOf(t, PublicKey{KeyID: "k1", Key: ecKey.Public()}, PublicKey{KeyID: "k2", Key: k2.Public()})

	tests := []struct {
		name     string
		cooldown time.Duration
		next     string
		status   int
		token    func(t *testing.T) string
		wantErr  error
		wantHits int32
	}{
		{"unknown kid refreshes", time.Nanosecond, both, 200,
			func(t *testing.T) string { return mintWith(t, k2, "k2") }, nil, 2},
		{"no refresh within the cooldown", time.Hour, both, 200,
			func(t *testing.T) string { return mintWith(t, k2, "k2") }, ErrKeyNotFound, 1},
		{"keys survive a failed fetch", time.Nanosecond, "", 500,
			func(t *testing.T) string { return mintWith(t, ecKey, "k1") }, nil, 1},
		{"keys survive an empty fetch", time.Nanosecond, `{"keys":[]}`, 200,
			func(t *testing.T) string { return mintWith(t, ecKey, "k1") }, nil, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newJWKSServer(t, first)
			v := remoteVerifier(t, srv.URL, tt.cooldown)
			waitIdle(v)
			require.Equal(t, int32(1), srv.hits.Load())
			srv.body.Store(tt.next)
			srv.status.Store(int32(tt.status))
			if tt.status != 200 || tt.next == `{"keys":[]}` {
				// Force a refresh with an unknown kid, then check k1 still works.
				_, err := v.Verify(context.Background(), mintWith(t, ecKey, "zz"))
				require.ErrorIs(t, err, ErrKeyNotFound)
				tt.wantHits = 2
			}

			_, err := v.Verify(context.Background(), tt.token(t))
			if tt.wantErr == nil {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, tt.wantErr)
			}
			assert.Equal(t, tt.wantHits, srv.hits.Load())
		})
	}
}

func TestRemoteKeysNoRedirect(t *testing.T) {
	loadTestKeys()
	target := newJWKSServer(t, jwksOf(t, PublicKey{KeyID: "k1", Key: ecKey.Public()}))
	redirect := httptest.NewServer(http.RedirectHandler(target.URL, http.StatusFound))
	t.Cleanup(redirect.Close)

	tests := []struct {
		name   string
		client *http.Client
	}{
		{name: "default client"},
		{name: "caller's client that follows redirects", client: &http.Client{
			CheckRedirect: func(*http.Request, []*http.Request) error { return nil }}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := testPartner(ES256)
			p.Keys, p.JWKSURL = nil, redirect.URL
			v, err := NewVerifier(VerifierConfig{Partners: []Partner{p}, Now: fixedClock(t0),
				HTTPClient: tt.client})
			require.NoError(t, err)
			t.Cleanup(v.Close)
			waitIdle(v)

			_, err = v.Verify(context.Background(), mintWith(t, ecKey, "k1"))
			assert.ErrorIs(t, err, ErrKeySetUnavailable)
			assert.Zero(t, target.hits.Load())
		})
	}
}

func TestRemoteKeysBadTokensCostNoFetch(t *testing.T) {
	srv := newJWKSServer(t, jwksOf(t, PublicKey{KeyID: "k1", Key: newECKey(t).Public()}))
	v := remoteVerifier(t, srv.URL, time.Hour)
	waitIdle(v)

	for i := range 100 {
		_, err := v.Verify(context.Background(), mintWith(t, ecKey, "bad-"+string(rune('a'+i%26))))
		require.ErrorIs(t, err, ErrKeyNotFound)
	}

	// One refresh at most for the first unknown kid: the cooldown blocks the rest.
	assert.LessOrEqual(t, srv.hits.Load(), int32(2))
}

func TestRemoteKeysCoalesceAndDetach(t *testing.T) {
	loadTestKeys()
	srv := newJWKSServer(t, jwksOf(t, PublicKey{KeyID: "k1", Key: ecKey.Public()}))
	srv.delay = 200 * time.Millisecond
	p := testPartner(ES256)
	p.Keys, p.JWKSURL = nil, srv.URL
	v, err := NewVerifier(VerifierConfig{Partners: []Partner{p}, Now: fixedClock(t0)})
	require.NoError(t, err)
	t.Cleanup(v.Close)

	// A caller that gives up does not cancel the fetch.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	_, err = v.Verify(ctx, mintWith(t, ecKey, "k1"))
	require.ErrorIs(t, err, ErrKeySetUnavailable)

	// Concurrent callers share the fetch under way.
	var wg sync.WaitGroup
	var ok atomic.Int32
	for range 20 {
		wg.Go(func() {
			if _, err := v.Verify(context.Background(), mintWith(t, ecKey, "k1")); err == nil {
				ok.Add(1)
			}
		})
	}
	wg.Wait()

	assert.Equal(t, int32(20), ok.Load())
	assert.Equal(t, int32(1), srv.hits.Load())
}

func TestRemoteKeysSkipMalformedMembers(t *testing.T) {
	loadTestKeys()
	good := strings.TrimSuffix(strings.TrimPrefix(
		jwksOf(t, PublicKey{KeyID: "k1", Key: ecKey.Public()}), `{"keys":[`), "]}")
	var k1 map[string]any
	require.NoError(t, json.Unmarshal([]byte(good), &k1))
	// ec is a P-256 member with k1's coordinates and the given other members.
	ec := func(members string) string {
		return `{"kty":"EC","crv":"P-256","x":"` + k1["x"].(string) + `","y":"` +
			k1["y"].(string) + `",` + members + `}`
	}
	rsaN := b64(string(rsaKey.N.Bytes()))

	tests := []struct {
		name   string
		member string
		// publicOK marks a member whose public part is usable: private
		// members are ignored, so it is a key of its own.
		publicOK bool
	}{
		{name: "P-256 point not on the curve",
			member: `{"kty":"EC","crv":"P-256","kid":"bad","x":"AAAA","y":"AAAA"}`},
		{name: "P-384 point not on the curve",
			member: `{"kty":"EC","crv":"P-384","kid":"bad","x":"AAAA","y":"AAAA"}`},
		{name: "EC without y",
			member: `{"kty":"EC","crv":"P-256","kid":"bad","x":"` + k1["x"].(string) + `"}`},
		{name: "EC coordinates not base64url",
			member: `{"kty":"EC","crv":"P-256","kid":"bad","x":"!!","y":"!!"}`},
		{name: "EC coordinates numbers",
			member: `{"kty":"EC","crv":"P-256","kid":"bad","x":1,"y":2}`},
		{name: "RSA without e", member: `{"kty":"RSA","kid":"bad","n":"` + rsaN + `"}`},
		{name: "RSA without n", member: `{"kty":"RSA","kid":"bad","e":"AQAB"}`},
		{name: "Ed25519 key of the wrong length",
			member: `{"kty":"OKP","crv":"Ed25519","kid":"bad","x":"AAAA"}`},
		{name: "kty missing", member: `{"kid":"bad","x":"AAAA"}`},
		{name: "unknown kty", member: `{"kty":"XYZ","kid":"bad"}`},
		{name: "unregistered use", member: ec(`"kid":"bad","use":"weird"`)},
		{name: "kid a number", member: ec(`"kid":7`)},
		{name: "member a string", member: `"not a key"`},
		{name: "member null", member: `null`},
		{name: "malformed private part", member: ec(`"kid":"k0","d":"!!"`), publicOK: true},
	}
	for _, tt := range tests {
		for _, order := range []string{"before", "after"} {
			t.Run(tt.name+" "+order+" the good key", func(t *testing.T) {
				body := `{"keys":[` + tt.member + `,` + good + `]}`
				if order == "after" {
					body = `{"keys":[` + good + `,` + tt.member + `]}`
				}
				wantKeys := 1
				if tt.publicOK {
					wantKeys = 2
				}
				parsed, err := ParseJWKS([]byte(body))
				require.NoError(t, err)
				require.Len(t, parsed, wantKeys, "ParseJWKS skips the malformed member only")

				srv := newJWKSServer(t, body)
				v := remoteVerifier(t, srv.URL, time.Hour)
				waitIdle(v)

				_, err = v.Verify(context.Background(), mintWith(t, ecKey, "k1"))
				assert.NoError(t, err)
				if tt.publicOK {
					_, err = v.Verify(context.Background(), mintWith(t, ecKey, "k0"))
					assert.NoError(t, err)
				}
			})
		}
	}
}

func TestRemoteKeysKidRule(t *testing.T) {
	loadTestKeys()
	remoteKey := newECKey(t)
	thirdKey := newECKey(t)
	oneRemote := jwksOf(t, PublicKey{KeyID: "k2", Key: remoteKey.Public()})
	twoRemote := jwksOf(t, PublicKey{KeyID: "k2", Key: remoteKey.Public()},
		PublicKey{KeyID: "k3", Key: thirdKey.Public()})

	tests := []struct {
		name    string
		static  bool // the partner also has the static key k1 (ecKey)
		set     string
		signer  *ecdsa.PrivateKey
		kid     string
		wantErr error
	}{
		{"static and remote: static kid", true, oneRemote, ecKey, "k1", nil},
		{"static and remote: remote kid", true, oneRemote, remoteKey, "k2", nil},
		{"static and remote: no kid, static key", true, oneRemote, ecKey, "", ErrKeyNotFound},
		{"static and remote: no kid, remote key", true, oneRemote, remoteKey, "", ErrKeyNotFound},
		{"remote only, one key: no kid", false, oneRemote, remoteKey, "", nil},
		{"remote only, several keys: kid", false, twoRemote, thirdKey, "k3", nil},
		{"remote only, several keys: no kid", false, twoRemote, remoteKey, "", ErrKeyNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newJWKSServer(t, tt.set)
			p := testPartner(ES256)
			p.JWKSURL = srv.URL
			if !tt.static {
				p.Keys = nil
			}
			v, err := NewVerifier(VerifierConfig{Partners: []Partner{p}, Now: fixedClock(t0)})
			require.NoError(t, err)
			t.Cleanup(v.Close)
			waitIdle(v)

			_, err = v.Verify(context.Background(), mintWith(t, tt.signer, tt.kid))
			if tt.wantErr == nil {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, tt.wantErr)
			}
		})
	}
}

// hangingServer serves body on its first request when it is not empty, and
// then never answers until the test ends.
func hangingServer(t *testing.T, body string) *httptest.Server {
	release := make(chan struct{})
	var served atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if body != "" && served.CompareAndSwap(false, true) {
			_, _ = w.Write([]byte(body))

			return
		}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	// Cleanups run last first: release the handlers, then close.
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })

	return srv
}

func TestRemoteKeysFetchIsTimeBounded(t *testing.T) {
	loadTestKeys()
	k1 := jwksOf(t, PublicKey{KeyID: "k1", Key: ecKey.Public()})

	tests := []struct {
		name    string
		first   string // served before the server hangs; "" hangs at once
		kid     string
		wantErr error
	}{
		{"first fetch", "", "k1", ErrKeySetUnavailable},
		{"refresh for an unknown kid", k1, "k2", ErrKeyNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := hangingServer(t, tt.first)
			p := testPartner(ES256)
			p.Keys, p.JWKSURL = nil, srv.URL
			v, err := NewVerifier(VerifierConfig{
				Partners: []Partner{p}, Now: fixedClock(t0), JWKSCooldown: time.Nanosecond,
				JWKSTimeout: 200 * time.Millisecond, HTTPClient: &http.Client{Timeout: time.Hour},
			})
			require.NoError(t, err)
			t.Cleanup(v.Close)
			waitBounded(t, func() { waitIdle(v) })

			// The caller's context never ends: only the JWKS timeout can.
			tok := mintWith(t, ecKey, tt.kid)
			var verr error
			waitBounded(t, func() { _, verr = v.Verify(context.Background(), tok) })
			assert.ErrorIs(t, verr, tt.wantErr)

			if tt.first != "" {
				// The keys of the last good fetch still verify.
				_, err := v.Verify(context.Background(), mintWith(t, ecKey, "k1"))
				assert.NoError(t, err)
			}
		})
	}
}

// waitBounded runs f and fails the test if f has not returned long after
// the JWKS timeout of TestRemoteKeysFetchIsTimeBounded: the bound is
// generous, what matters is that f returns at all.
func waitBounded(t *testing.T, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the JWK Set fetch was not bounded by JWKSTimeout")
	}
}

// TestRemoteKeysFailureLogSaysWhatIsKept checks that a failed fetch before
// any key was fetched does not claim to keep previous keys.
func TestRemoteKeysFailureLogSaysWhatIsKept(t *testing.T) {
	loadTestKeys()
	srv := newJWKSServer(t, "")
	srv.status.Store(http.StatusServiceUnavailable)
	var logs testlog.Buffer
	p := testPartner(ES256)
	p.Keys, p.JWKSURL = nil, srv.URL
	v, err := NewVerifier(VerifierConfig{
		Partners: []Partner{p}, Now: fixedClock(t0), JWKSCooldown: time.Nanosecond,
		JWKSTimeout: 2 * time.Second, Logger: slog.New(slog.NewTextHandler(&logs, nil)),
	})
	require.NoError(t, err)
	t.Cleanup(v.Close)
	waitIdle(v)

	_, err = v.Verify(context.Background(), mintWith(t, ecKey, "k1"))
	require.Error(t, err)
	waitIdle(v)
	assert.Contains(t, logs.String(), "no keys of this partner yet")
	assert.NotContains(t, logs.String(), "keeping the previous keys")
}

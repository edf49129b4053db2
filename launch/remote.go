package launch

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/MicahParks/jwkset"
	"golang.org/x/time/rate"
)

// Defaults for remote JWK Sets.
const (
	defaultJWKSRefresh  = time.Hour
	defaultJWKSCooldown = time.Minute
	defaultJWKSTimeout  = 10 * time.Second
	defaultJWKSMaxBytes = 256 << 10
)

// forceRefreshKID is a key id no JWK Set can hold (JSON strings cannot be
// compared equal to it after filtering); reading it makes jwkset refresh.
const forceRefreshKID = "\x00launch-refresh"

type remoteConfig struct {
	client   *http.Client
	refresh  time.Duration
	cooldown time.Duration
	timeout  time.Duration
	logger   *slog.Logger
}

// remoteConfigFrom applies the defaults of the JWK Set settings, bounds the
// HTTP client's time and response size, and makes the client drop the
// members of a JWK Set that cannot be used (see memberFilter).
func remoteConfigFrom(cfg VerifierConfig) remoteConfig {
	rc := remoteConfig{
		refresh:  cfg.JWKSRefreshInterval,
		cooldown: cfg.JWKSCooldown,
		timeout:  cfg.JWKSTimeout,
		logger:   cfg.Logger,
	}
	if rc.refresh <= 0 {
		rc.refresh = defaultJWKSRefresh
	}

	if rc.cooldown <= 0 {
		rc.cooldown = defaultJWKSCooldown
	}

	if rc.timeout <= 0 {
		rc.timeout = defaultJWKSTimeout
	}

	if rc.logger == nil {
		rc.logger = discardLogger()
	}

	maxBytes := cfg.JWKSMaxBytes
	if maxBytes <= 0 {
		maxBytes = defaultJWKSMaxBytes
	}

	rc.client = boundedClient(cfg.HTTPClient, rc.timeout, maxBytes)
	rc.client.Transport = &memberFilter{base: rc.client.Transport}

	return rc
}

// boundedClient copies base (or a new client) with a total timeout, a
// response size cap and no redirects.
func boundedClient(base *http.Client, timeout time.Duration, maxBytes int64) *http.Client {
	c := &http.Client{}
	if base != nil {
		*c = *base
	}

	c.CheckRedirect = func(*http.Request, []*http.Request) error { return errRedirect }

	if c.Timeout == 0 || c.Timeout > timeout {
		c.Timeout = timeout
	}

	rt := c.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}

	c.Transport = &cappedTransport{base: rt, max: maxBytes}

	return c
}

// remoteKeys are a partner's keys fetched from its JWK Set URL. jwkset
// fetches, parses and stores them (after memberFilter has dropped the
// members it could not parse); this type adds the usable-key filter,
// the unknown-kid cooldown and the coalescing of concurrent refreshes, and
// runs every fetch on its own context, never on a request's.
type remoteKeys struct {
	url     string
	cfg     remoteConfig
	store   *usableKeyStore
	limiter *rate.Limiter
	ctx     context.Context
	cancel  context.CancelFunc

	mu       sync.Mutex
	client   jwkset.Storage
	inflight chan struct{}
}

func newRemoteKeys(rawURL string, algs []string, cfg remoteConfig) (*remoteKeys, error) {
	if err := checkJWKSURL(rawURL); err != nil {
		return nil, err
	}

	ctx, cancel := context.WithCancel(context.Background())
	r := &remoteKeys{
		url:     rawURL,
		cfg:     cfg,
		store:   &usableKeyStore{MemoryJWKSet: jwkset.NewMemoryStorage(), algs: algs},
		limiter: rate.NewLimiter(rate.Every(cfg.cooldown), 1),
		ctx:     ctx,
		cancel:  cancel,
	}
	// The first fetch counts against the cooldown like any other.
	r.limiter.Allow()
	r.startFetch()

	return r, nil
}

// checkJWKSURL accepts https URLs, and http only on loopback hosts.
func checkJWKSURL(rawURL string) error {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return errors.New("invalid JWKS URL")
	}

	if u.Scheme == "https" {
		return nil
	}

	host := u.Hostname()
	ip := net.ParseIP(host)
	if u.Scheme == "http" && (host == "localhost" || (ip != nil && ip.IsLoopback())) {
		return nil
	}

	return errors.New("JWKS URL must use https")
}

func (r *remoteKeys) close() { r.cancel() }

// errRedirect is returned when the JWK Set URL answers with a redirect.
var errRedirect = errors.New("JWK Set URL answered with a redirect; redirects are not followed")

// lookup returns the key for kid ("" when the set holds a single key). An
// unknown kid triggers at most one refresh per cooldown; concurrent callers
// share the refresh under way. ctx bounds only the wait, not the fetch.
func (r *remoteKeys) lookup(ctx context.Context, kid string) (PublicKey, error) {
	if k, ok := r.store.find(kid); ok {
		return k, nil
	}

	done := r.pending()
	if done == nil && r.limiter.Allow() {
		done = r.startFetch()
	}

	if done != nil {
		select {
		case <-done:
		case <-ctx.Done():
			return PublicKey{}, errorf(ErrKeySetUnavailable, "gave up waiting for the key set: %w", ctx.Err())
		}
	}

	if k, ok := r.store.find(kid); ok {
		return k, nil
	}

	if !r.store.loaded() {
		return PublicKey{}, ErrKeySetUnavailable
	}

	if kid == "" {
		return PublicKey{}, errorf(ErrKeyNotFound, "kid header required: the key set has several keys")
	}

	return PublicKey{}, errorf(ErrKeyNotFound, "unknown kid")
}

// pending returns the channel of the refresh under way, if any.
func (r *remoteKeys) pending() chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()

	return r.inflight
}

// startFetch starts a refresh unless one is under way, and returns the
// channel closed when it ends.
func (r *remoteKeys) startFetch() chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()

	if r.inflight != nil {
		return r.inflight
	}

	done := make(chan struct{})
	r.inflight = done
	go func() {
		r.fetch()

		r.mu.Lock()
		r.inflight = nil
		r.mu.Unlock()
		close(done)
	}()

	return done
}

// fetch makes jwkset load the set: the first time by creating its HTTP
// storage (which also starts its periodic refresh), later by reading a key
// id that cannot exist, which makes it refresh.
func (r *remoteKeys) fetch() {
	r.mu.Lock()
	client := r.client
	r.mu.Unlock()

	if client == nil {
		client, err := r.newClient()
		if err != nil {
			r.logFailure(r.ctx, err)

			return
		}

		r.mu.Lock()
		r.client = client
		r.mu.Unlock()

		return
	}

	ctx, cancel := context.WithTimeout(r.ctx, r.cfg.timeout)
	defer cancel()

	// The read fails by design; a refresh failure reaches logFailure.
	_, _ = client.KeyRead(ctx, forceRefreshKID)
}

func (r *remoteKeys) newClient() (jwkset.Storage, error) {
	storage, err := jwkset.NewStorageFromHTTP(r.url, jwkset.HTTPClientStorageOptions{
		Client:                    r.cfg.client,
		Ctx:                       r.ctx,
		HTTPTimeout:               r.cfg.timeout,
		NoErrorReturnFirstHTTPReq: true,
		RefreshErrorHandler:       r.logFailure,
		RefreshInterval:           r.cfg.refresh,
		Storage:                   r.store,
	})
	if err != nil {
		return nil, err
	}

	return jwkset.NewHTTPClient(jwkset.HTTPClientOptions{
		HTTPURLs:          map[string]jwkset.Storage{r.url: storage},
		RateLimitWaitMax:  r.cfg.timeout,
		RefreshUnknownKID: rate.NewLimiter(rate.Inf, 1),
	})
}

func (r *remoteKeys) logFailure(ctx context.Context, err error) {
	msg := "launch: JWK Set fetch failed; keeping the previous keys"
	if !r.store.loaded() {
		msg = "launch: JWK Set fetch failed; no keys of this partner yet"
	}

	r.cfg.logger.WarnContext(ctx, msg, "url", r.url, "error", err)
}

// usableKeyStore is the jwkset storage of one remote set. It keeps only
// usable signature keys and refuses to replace the keys it has with a set
// holding none, so the last good keys survive an empty or useless fetch.
type usableKeyStore struct {
	*jwkset.MemoryJWKSet
	algs  []string
	index atomic.Pointer[keyIndex]
}

type keyIndex struct {
	byID map[string]PublicKey
	only *PublicKey
}

var errNoUsableKey = errors.New("JWK Set holds no usable signing key")

// KeyReplaceAll implements jwkset.Storage; it is what a refresh calls.
func (s *usableKeyStore) KeyReplaceAll(ctx context.Context, given []jwkset.JWK) error {
	idx := &keyIndex{byID: make(map[string]PublicKey, len(given))}
	kept := make([]jwkset.JWK, 0, len(given))
	for _, jwk := range given {
		k, err := publicKeyFromJWK(jwk)
		if err != nil || !s.fits(k) {
			continue
		}

		if _, dup := idx.byID[k.KeyID]; dup {
			continue
		}

		idx.byID[k.KeyID] = k
		kept = append(kept, jwk)
	}
	if len(kept) == 0 {
		return errNoUsableKey
	}

	if len(kept) == 1 {
		for _, k := range idx.byID {
			idx.only = &k
		}
	}

	if err := s.MemoryJWKSet.KeyReplaceAll(ctx, kept); err != nil {
		return err
	}

	s.index.Store(idx)

	return nil
}

func (s *usableKeyStore) fits(k PublicKey) bool {
	if k.Algorithm != "" {
		return containsString(s.algs, k.Algorithm)
	}

	return anyAlgorithmFits(s.algs, k.Key)
}

func (s *usableKeyStore) loaded() bool { return s.index.Load() != nil }

func (s *usableKeyStore) find(kid string) (PublicKey, bool) {
	idx := s.index.Load()
	if idx == nil {
		return PublicKey{}, false
	}

	if kid == "" {
		if idx.only != nil {
			return *idx.only, true
		}

		return PublicKey{}, false
	}

	k, ok := idx.byID[kid]

	return k, ok
}

// memberFilter rewrites each JWK Set document the JWKS URL answers with so
// that it holds only the members this package can use, each parsed on its
// own by parseKeySet and written back in jwkset's own encoding.
//
// jwkset's HTTP storage refuses a whole document as soon as one member fails
// to parse (a point off its curve, an RSA key without "e", a coordinate of
// the wrong JSON type...); it skips only the key types it does not support,
// and none of its options changes that. Its HTTP client is the one place
// between the fetch and that parse, so the filter sits there, and jwkset
// keeps the fetching, the refresh schedule and the storage.
type memberFilter struct {
	base http.RoundTripper
}

func (f *memberFilter) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := f.base.RoundTrip(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		// jwkset reports the status itself.
		return resp, err
	}

	body, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return nil, err
	}

	filtered, err := usableMembers(body)
	if err != nil {
		return nil, err
	}

	resp.Body = io.NopCloser(bytes.NewReader(filtered))
	resp.ContentLength = int64(len(filtered))
	resp.Header.Del("Content-Length")
	resp.Header.Del("Content-Encoding")

	return resp, nil
}

// usableMembers returns a JWK Set document holding the usable public keys
// of data, which may be none. A document that is not a JWK Set is an error.
func usableMembers(data []byte) ([]byte, error) {
	keys, err := parseKeySet(data)
	if err != nil {
		return nil, fmt.Errorf("JWK Set response: %w", err)
	}

	set := jwkset.JWKSMarshal{Keys: make([]jwkset.JWKMarshal, 0, len(keys))}
	for _, k := range keys {
		m, err := publicJWKMarshal(k)
		if err != nil {
			continue
		}

		set.Keys = append(set.Keys, m)
	}

	return json.Marshal(set)
}

// errResponseTooLarge is returned when a JWK Set response exceeds its cap.
var errResponseTooLarge = errors.New("JWK Set response too large")

// cappedTransport limits the size of response bodies.
type cappedTransport struct {
	base http.RoundTripper
	max  int64
}

func (t *cappedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}

	if resp.ContentLength > t.max {
		_ = resp.Body.Close()

		return nil, errResponseTooLarge
	}

	resp.Body = &cappedBody{ReadCloser: resp.Body, left: t.max}

	return resp, nil
}

type cappedBody struct {
	io.ReadCloser
	left int64
}

func (b *cappedBody) Read(p []byte) (int, error) {
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}

	n, err := b.ReadCloser.Read(p)
	if int64(n) > b.left {
		return 0, errResponseTooLarge
	}

	b.left -= int64(n)

	return n, err
}

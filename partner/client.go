package partner

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// Client defaults.
const (
	// DefaultTimeout bounds each HTTP exchange of the default HTTP client.
	DefaultTimeout = 30 * time.Second
	// DefaultMaxResponseBytes caps a response body when
	// ClientConfig.MaxResponseBytes is 0.
	DefaultMaxResponseBytes = 16 << 20
	// maxProblemBytes caps the body of an error response.
	maxProblemBytes = 64 << 10
	// maxRetryAfter bounds a Retry-After value, so that it never overflows
	// a time.Duration.
	maxRetryAfter = 24 * time.Hour
)

// ClientConfig configures a Client. BaseURL is required, and so are Ring
// (for launches) or TokenSource (for reporting calls only); every other
// field has a documented default.
type ClientConfig struct {
	// BaseURL is the root of VAP's partner API, including its base path,
	// such as "https://vap.example/integrations/partner" (required). It must
	// use https, except on loopback hosts or with InsecureAllowHTTP.
	BaseURL string
	// Ring signs launch tokens and, unless TokenSource is set, API
	// credentials.
	Ring *Ring
	// APIAudience is the "aud" of API credentials VAP gave the partner;
	// required when TokenSource is nil: NewClient refuses a Ring without
	// either with ErrConfig.
	APIAudience string
	// TokenSource supplies the bearer credential of reporting calls.
	// Default NewTokenSource(Ring, APIAudience).
	TokenSource oauth2.TokenSource
	// HTTPClient sends every request. Default: a client with
	// DefaultTimeout, bounded dial, TLS and header timeouts, that does not
	// follow redirects.
	HTTPClient *http.Client
	// Retry bounds the retries of idempotent calls. The zero value gives
	// the defaults documented on RetryPolicy.
	Retry RetryPolicy
	// MaxResponseBytes caps a response body. Default
	// DefaultMaxResponseBytes.
	MaxResponseBytes int64
	// FormActionOrigins are origins, besides BaseURL's, that the launch
	// form page may submit to or be redirected to, such as the origin of
	// VAP's learner app when it differs from the API's. Each is an absolute
	// URL; only its scheme, host and port are used.
	FormActionOrigins []string
	// InsecureAllowHTTP allows a plain http BaseURL on any host. Tokens
	// then travel in clear text; use it for local development only.
	InsecureAllowHTTP bool
	// Now is the clock used for Retry-After dates and retry budgets.
	// Default time.Now.
	Now func() time.Time
}

// Client calls VAP's partner API: launches and the reporting endpoints. It
// is safe for concurrent use.
type Client struct {
	base    *url.URL
	ring    *Ring
	tokens  oauth2.TokenSource
	http    *http.Client
	retry   RetryPolicy
	maxBody int64
	formCSP string
	now     func() time.Time
	sleep   func(ctx context.Context, d time.Duration) error
}

// NewClient checks cfg and returns a Client.
func NewClient(cfg ClientConfig) (*Client, error) {
	base, err := checkBaseURL(cfg.BaseURL, cfg.InsecureAllowHTTP)
	if err != nil {
		return nil, err
	}

	c := &Client{
		base: base, ring: cfg.Ring, tokens: cfg.TokenSource, http: cfg.HTTPClient,
		retry: cfg.Retry.withDefaults(), maxBody: cfg.MaxResponseBytes, now: cfg.Now,
		sleep: sleepContext,
	}
	if c.ring == nil && c.tokens == nil {
		return nil, configError("client needs a ring, or a token source for reporting only")
	}

	if c.tokens == nil {
		if c.tokens, err = NewTokenSource(cfg.Ring, cfg.APIAudience); err != nil {
			return nil, configError("a client with a ring and no token source needs an API audience")
		}
	}

	if c.formCSP, err = formPolicy(base, cfg.FormActionOrigins); err != nil {
		return nil, err
	}

	c.setDefaults()

	return c, nil
}

func (c *Client) setDefaults() {
	if c.http == nil {
		c.http = defaultHTTPClient()
	}

	if c.maxBody <= 0 {
		c.maxBody = DefaultMaxResponseBytes
	}

	if c.now == nil {
		c.now = time.Now
	}
}

// checkBaseURL accepts an absolute https URL, or http on a loopback host
// (or anywhere when insecure), without query or fragment.
func checkBaseURL(raw string, insecure bool) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, configError("base url must be absolute, without query or fragment")
	}

	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && (insecure || loopbackHost(u.Hostname())):
	default:
		return nil, configError("base url must use https")
	}

	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = ""

	return u, nil
}

func loopbackHost(host string) bool {
	ip := net.ParseIP(host)

	return host == "localhost" || (ip != nil && ip.IsLoopback())
}

// defaultHTTPClient bounds every phase of an exchange and never follows a
// redirect, so a bearer credential is never sent anywhere else.
func defaultHTTPClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.TLSHandshakeTimeout = 10 * time.Second
	t.ResponseHeaderTimeout = 20 * time.Second
	t.ExpectContinueTimeout = time.Second
	t.MaxIdleConnsPerHost = 8

	return &http.Client{
		Transport: t,
		Timeout:   DefaultTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// apiCall is one logical call to the API, retried as a whole.
type apiCall struct {
	// op names the call in errors, with the route pattern only (no ids).
	op     string
	method string
	path   string
	query  url.Values
	body   any
	out    any
	// auth sends the API credential.
	auth bool
	// once marks a call that must not be retried after it may have
	// reached the server (a launch).
	once bool
	// ids are the id parameters placed in the path, as name and value
	// pairs, checked before any request.
	ids []string
}

// ids pairs id parameter names and values for apiCall.ids.
func ids(nameValue ...string) []string { return nameValue }

// checkIDs refuses an empty, "." or ".." id: each would change the path
// the request reaches. Errors name the parameter, never its value.
func checkIDs(op string, nameValue []string) error {
	for i := 0; i+1 < len(nameValue); i += 2 {
		switch nameValue[i+1] {
		case "", ".", "..":
			return fmt.Errorf("%w: %s: %s must not be empty, \".\" or \"..\"", ErrInvalidID, op,
				nameValue[i])
		}
	}

	return nil
}

// endpoint returns the absolute URL of a path made of segments, each
// escaped.
func (c *Client) endpoint(segments ...string) string {
	var b strings.Builder
	b.WriteString(c.base.String())
	for _, s := range segments {
		b.WriteByte('/')
		b.WriteString(url.PathEscape(s))
	}

	return b.String()
}

// do runs call, with retries, and decodes a success into call.out.
func (c *Client) do(ctx context.Context, call apiCall) error {
	if err := checkIDs(call.op, call.ids); err != nil {
		return err
	}

	var body []byte
	if call.body != nil {
		var err error
		if body, err = json.Marshal(call.body); err != nil {
			return fmt.Errorf("partner: %s: encode body: %w", call.op, err)
		}
	}

	started := c.now()
	for attempt := 1; ; attempt++ {
		reached, err := c.attempt(ctx, call, body)
		if err == nil {
			return nil
		}

		delay, retry := c.retryDelay(ctx, call, err, reached, attempt, started)
		if !retry {
			return c.final(call, err, reached)
		}

		// Do not start a wait the context would cut short.
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < delay {
			return c.abandoned(call, err, reached, context.DeadlineExceeded)
		}

		if serr := c.sleep(ctx, delay); serr != nil {
			return c.abandoned(call, err, reached, serr)
		}
	}
}

// abandoned returns the last attempt's error (an *APIError for a 429 or a
// 503) joined with the context error that ended the retries, so that
// errors.Is finds both.
func (c *Client) abandoned(call apiCall, err error, reached bool, ctxErr error) error {
	return fmt.Errorf("%w; retry abandoned: %w", c.final(call, err, reached), ctxErr)
}

// final turns the last attempt's error into the returned one.
func (c *Client) final(call apiCall, err error, reached bool) error {
	var apiErr *APIError
	if errors.As(err, &apiErr) || errors.Is(err, ErrResponse) {
		return err
	}

	if call.once && reached {
		return fmt.Errorf("%w: %w", ErrLaunchOutcomeUnknown, err)
	}

	return fmt.Errorf("partner: %s: %w", call.op, err)
}

// attempt sends call once. reached reports whether any of the request may
// have reached the server: true for every transport error except those
// known to come before a connection was made (see neverSent).
func (c *Client) attempt(ctx context.Context, call apiCall, body []byte) (bool, error) {
	var progress sendProgress
	req, err := c.newRequest(httptrace.WithClientTrace(ctx, progress.trace()), call, body)
	if err != nil {
		return false, err
	}

	resp, err := c.http.Do(req)
	if err != nil {
		return !progress.neverSent(err), transportError(err)
	}

	defer resp.Body.Close()

	return true, c.readResponse(call, resp)
}

func (c *Client) newRequest(ctx context.Context, call apiCall, body []byte) (*http.Request, error) {
	target := call.path
	if len(call.query) > 0 {
		target += "?" + call.query.Encode()
	}

	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}

	req, err := http.NewRequestWithContext(ctx, call.method, target, rd)
	if err != nil {
		return nil, transportError(err)
	}

	req.Header.Set("Accept", "application/json, application/problem+json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}

	if call.auth {
		if err := c.authorize(req); err != nil {
			return nil, err
		}
	}

	return req, nil
}

func (c *Client) authorize(req *http.Request) error {
	if c.tokens == nil {
		return configError("reporting calls need an API audience or a token source")
	}

	tok, err := c.tokens.Token()
	if err != nil {
		return &credentialError{err: err}
	}

	tok.SetAuthHeader(req)

	return nil
}

// credentialError is a token source failure. It matches ErrCredential and
// unwraps to the source's error; its message carries no "partner: " prefix
// of its own, the call's prefix comes first.
type credentialError struct {
	err error
}

func (e *credentialError) Error() string { return "api credential unavailable: " + e.err.Error() }

func (e *credentialError) Is(target error) bool { return target == ErrCredential }

func (e *credentialError) Unwrap() error { return e.err }

// transportError drops the URL that *url.Error adds, so that no query
// value ever reaches an error message.
func transportError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}

	return err
}

// readResponse decodes a success into call.out or returns an *APIError.
func (c *Client) readResponse(call apiCall, resp *http.Response) error {
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return c.apiError(call, resp)
	}

	if call.out == nil || resp.StatusCode == http.StatusNoContent {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxProblemBytes))

		return nil
	}

	if mediaType(resp.Header) != "application/json" {
		return fmt.Errorf("%w: %s: content type is not application/json", ErrResponse, call.op)
	}

	data, err := io.ReadAll(io.LimitReader(resp.Body, c.maxBody+1))
	if err != nil {
		return err
	}

	if int64(len(data)) > c.maxBody {
		return fmt.Errorf("%w: %s: body above %d bytes", ErrResponse, call.op, c.maxBody)
	}

	if err := json.Unmarshal(data, call.out); err != nil {
		return fmt.Errorf("%w: %s: %w", ErrResponse, call.op, err)
	}

	return nil
}

func mediaType(h http.Header) string {
	mt, _, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil {
		return ""
	}

	return mt
}

// apiError reads a problem document, or falls back to the bare status.
func (c *Client) apiError(call apiCall, resp *http.Response) error {
	e := &APIError{Op: call.op, Status: resp.StatusCode, Title: http.StatusText(resp.StatusCode),
		RetryAfter: retryAfter(resp.Header.Get("Retry-After"), c.now())}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxProblemBytes))
	if err != nil || mediaType(resp.Header) != "application/problem+json" {
		return e
	}

	var p struct {
		Title  string `json:"title"`
		Detail string `json:"detail"`
		Code   string `json:"code"`
	}
	if json.Unmarshal(data, &p) == nil {
		e.Code, e.Detail = p.Code, p.Detail
		if p.Title != "" {
			e.Title = p.Title
		}
	}

	return e
}

// retryAfter reads a Retry-After header: delay seconds or an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}

	if allDigits(v) {
		// Too many digits for an int64 saturates to the maximum.
		secs, err := strconv.ParseInt(v, 10, 64)
		if err != nil || secs > int64(maxRetryAfter/time.Second) {
			return maxRetryAfter
		}

		return time.Duration(secs) * time.Second
	}

	t, err := http.ParseTime(v)
	if err != nil {
		return 0
	}

	return min(max(t.Sub(now), 0), maxRetryAfter)
}

// allDigits reports whether v is one or more ASCII digits, the delay-seconds
// form of Retry-After.
func allDigits(v string) bool {
	if v == "" {
		return false
	}

	for i := range len(v) {
		if v[i] < '0' || v[i] > '9' {
			return false
		}
	}

	return true
}

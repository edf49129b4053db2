package oidc

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"golang.org/x/oauth2"

	"github.com/virtualaipatient/integration/internal/logkey"
	"github.com/virtualaipatient/integration/launch"
)

// DefaultHTTPTimeout bounds each call to a provider when HandlerConfig
// has no Client.
const DefaultHTTPTimeout = 10 * time.Second

// maxParamBytes caps each login parameter.
const maxParamBytes = 256

// CompleteFunc continues a verified sign-in exactly like a verified launch
// token: it creates the session and sends the learner on. l is never nil.
type CompleteFunc func(w http.ResponseWriter, r *http.Request, l *launch.Launch)

// HandlerConfig configures NewHandler. Partners, CallbackURL and Complete
// are required; every other field has a documented default.
type HandlerConfig struct {
	// Partners are the partners signing in through their provider.
	Partners []Config
	// CallbackURL is the absolute URL where Callback is served, as
	// registered at every provider (https, or http on a loopback host).
	CallbackURL string
	// Complete receives every verified launch.
	Complete CompleteFunc
	// Flows keeps flows server side. Default: a new MemoryFlows (with
	// Now as its clock and DefaultMaxMemoryFlows as its cap), which
	// works for a single process only. Must be nil when Cookies is set.
	// Each flow is bound to the browser that started it by a binding
	// cookie (see BinderCookiePrefix), so that a callback URL opened in
	// another browser fails.
	Flows FlowStore
	// Cookies keeps flows in sealed cookies instead of Flows.
	Cookies *CookieFlows
	// SignInRate limits, per partner, how fast sign-ins start (Login and
	// Initiate together): each start keeps a flow until its callback or
	// its expiry. A start over the limit gets a page with status 429, the
	// code sign_in_rate_limited and a Retry-After header. Zero fields take
	// DefaultSignInRate's. Requests naming no configured partner are
	// refused before the limit and never add a bucket.
	//
	// NOTE: the limit is per partner, not per browser: anonymous requests
	// can spend a partner's budget and hold its learners back while they
	// last. It bounds what they cost (flows kept, rows written); put a
	// per-client limit in front, such as at a reverse proxy, where that
	// matters.
	SignInRate RateLimit
	// FlowTTL is how long a sign-in may take. Default DefaultFlowTTL; at
	// most MaxFlowTTL.
	FlowTTL time.Duration
	// Client makes every call to the providers (discovery, keys, token).
	// Default: a client with a DefaultHTTPTimeout timeout.
	Client *http.Client
	// Now is the clock. Default time.Now.
	Now func() time.Time
	// Logger receives one record per failed sign-in: the step, the stable
	// code, the partner, the failing claim's name and a keyed hash of the
	// subject (see LogKey). No token, code, state, nonce, name, e-mail or
	// subject is ever logged. Default: discarded.
	Logger *slog.Logger
	// LogKey is the secret of the keyed hash (HMAC-SHA256, truncated) that
	// stands for a subject in logs. Empty means a random key per process,
	// so hashes correlate within one process only.
	LogKey []byte
}

// Handler runs sign-ins through partners' providers. It is safe for
// concurrent use.
type Handler struct {
	partners map[string]*partner
	callback *url.URL
	complete CompleteFunc
	keeper   keeper
	rate     RateLimit
	ttl      time.Duration
	client   *http.Client
	now      func() time.Time
	logger   *slog.Logger
	logKey   *logkey.Key
}

// NewHandler validates cfg and returns the handler. Providers are
// discovered on first use, not here.
func NewHandler(cfg HandlerConfig) (*Handler, error) {
	cb, err := checkCallbackURL(cfg.CallbackURL)
	if err != nil {
		return nil, err
	}

	h := &Handler{partners: map[string]*partner{}, callback: cb, complete: cfg.Complete,
		ttl: cfg.FlowTTL, client: cfg.Client, now: cfg.Now}
	if err := h.setDefaults(cfg); err != nil {
		return nil, err
	}

	for _, p := range cfg.Partners {
		if err := p.Validate(); err != nil {
			return nil, err
		}

		if h.partners[p.PartnerID] != nil {
			return nil, errorf(ErrConfig, "partner %q configured twice", p.PartnerID)
		}

		h.partners[p.PartnerID] = &partner{cfg: p.withDefaults(), starts: h.rate.limiter()}
	}

	return h, nil
}

func (h *Handler) setDefaults(cfg HandlerConfig) error {
	switch {
	case len(cfg.Partners) == 0:
		return errorf(ErrConfig, "at least one partner is required")
	case cfg.Complete == nil:
		return errorf(ErrConfig, "complete is required")
	case cfg.Flows != nil && cfg.Cookies != nil:
		return errorf(ErrConfig, "set flows or cookies, not both")
	case cfg.FlowTTL < 0 || cfg.FlowTTL > MaxFlowTTL:
		return errorf(ErrConfig, "flow ttl must be at most %v", MaxFlowTTL)
	}

	var err error
	if h.rate, err = cfg.SignInRate.withDefaults(); err != nil {
		return err
	}

	if h.ttl == 0 {
		h.ttl = DefaultFlowTTL
	}

	if h.client == nil {
		h.client = &http.Client{Timeout: DefaultHTTPTimeout}
	}

	if h.now == nil {
		h.now = time.Now
	}

	path := h.callback.EscapedPath()
	h.keeper = storeKeeper{store: cfg.Flows, path: path}
	if cfg.Cookies != nil {
		h.keeper = cookieKeeper{flows: cfg.Cookies, path: path}
	} else if cfg.Flows == nil {
		h.keeper = storeKeeper{store: &MemoryFlows{Now: h.now}, path: path}
	}

	h.logger = logkey.Discard(cfg.Logger)
	h.logKey = logkey.Process()
	if len(cfg.LogKey) > 0 {
		h.logKey = logkey.New(cfg.LogKey)
	}

	return nil
}

func checkCallbackURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, errorf(ErrConfig, "callback url must be absolute, without query or fragment")
	}

	if u.Scheme != "https" && (u.Scheme != "http" || !loopbackHost(u.Hostname())) {
		return nil, errorf(ErrConfig, "callback url must be https")
	}

	if u.Path == "" {
		u.Path = "/"
	}

	return u, nil
}

// Login starts a VAP-initiated sign-in: GET with the query parameters
// "partner" (required), "cohort", "case" and "case_set". It redirects the
// browser to the partner's provider, or shows an error page.
func (h *Handler) Login(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h.fail(w, r, stepLogin, attempt{}, errorf(ErrBadRequest, "login takes GET"))
		return
	}

	if a, err := h.start(w, r, r.URL.Query(), false); err != nil {
		h.fail(w, r, stepLogin, a, err)
	}
}

// Initiate starts a partner-initiated sign-in, as LTI's third-party
// initiated login does: the partner sends the browser here by GET (query)
// or POST (form) with "partner" (required), an optional "login_hint"
// passed to the provider, and the target ("cohort", "case", "case_set").
func (h *Handler) Initiate(w http.ResponseWriter, r *http.Request) {
	params := r.URL.Query()
	switch r.Method {
	case http.MethodGet, http.MethodHead:
	case http.MethodPost:
		r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
		if err := r.ParseForm(); err != nil {
			h.fail(w, r, stepInitiate, attempt{}, errorf(ErrBadRequest, "unreadable form"))
			return
		}

		params = r.PostForm
	default:
		h.fail(w, r, stepInitiate, attempt{},
			errorf(ErrBadRequest, "initiate takes GET or POST"))
		return
	}

	if a, err := h.start(w, r, params, true); err != nil {
		h.fail(w, r, stepInitiate, a, err)
	}
}

// start checks the login request, keeps a new flow and redirects to the
// provider's authorization endpoint. On failure it writes nothing and
// returns the error, with the partner once it is known.
func (h *Handler) start(w http.ResponseWriter, r *http.Request, q url.Values,
	hint bool) (attempt, error) {
	req, err := readLogin(q, hint)
	if err != nil {
		return attempt{}, err
	}

	// The partner parameter is logged only once it names a partner.
	p := h.partners[req.partnerID]
	if p == nil {
		return attempt{}, ErrUnknownPartner
	}

	// Every start keeps a flow, so each partner's starts are limited,
	// before any discovery or store is touched.
	a := attempt{partnerID: p.cfg.PartnerID}
	if d := admit(p.starts, h.now()); d > 0 {
		return a, &retryError{after: d,
			err: errorf(ErrSignInRateLimited, "the partner's sign-in rate is spent")}
	}

	prov, err := p.provider(r.Context(), h)
	if err != nil {
		return a, err
	}

	f, err := h.newFlow(p.cfg.PartnerID, req.target)
	if err != nil {
		return a, err
	}

	if err := h.keeper.save(r.Context(), w, f, h.now()); err != nil {
		return a, err
	}

	opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(f.Verifier),
		oauth2.SetAuthURLParam("nonce", f.Nonce)}
	if req.loginHint != "" {
		opts = append(opts, oauth2.SetAuthURLParam("login_hint", req.loginHint))
	}

	noStore(w)
	http.Redirect(w, r, prov.oauth.AuthCodeURL(f.State, opts...), http.StatusFound)

	return a, nil
}

func (h *Handler) newFlow(partnerID string, t Target) (Flow, error) {
	state, err := randomToken()
	if err != nil {
		return Flow{}, err
	}

	nonce, err := randomToken()
	if err != nil {
		return Flow{}, err
	}

	return Flow{State: state, PartnerID: partnerID, Nonce: nonce,
		Verifier: oauth2.GenerateVerifier(), Target: t,
		ExpiresAt: h.now().Add(h.ttl).UTC().Truncate(time.Microsecond)}, nil
}

// randomToken returns 256 random bits, base64url encoded.
func randomToken() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", errorf(ErrFlowStore, "random: %w", err)
	}

	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// loginRequest is a checked login request.
type loginRequest struct {
	partnerID string
	loginHint string
	target    Target
}

func readLogin(q url.Values, hint bool) (loginRequest, error) {
	var req loginRequest
	fields := []struct {
		name string
		dst  *string
	}{
		{"partner", &req.partnerID}, {"cohort", &req.target.CohortID},
		{"case", &req.target.CaseID}, {"case_set", &req.target.CaseSetID},
	}
	if hint {
		fields = append(fields, struct {
			name string
			dst  *string
		}{"login_hint", &req.loginHint})
	}

	for _, f := range fields {
		v, err := oneParam(q, f.name)
		if err != nil {
			return req, err
		}

		*f.dst = v
	}

	if req.partnerID == "" {
		return req, errorf(ErrBadRequest, "partner is required")
	}

	// The target becomes the launch's ids: the mapping checks them again.
	for _, v := range []string{req.target.CohortID, req.target.CaseID, req.target.CaseSetID} {
		if v != "" && !validTargetID(v) {
			return req, errorf(ErrBadRequest, "a target id has format characters or is a dot")
		}
	}

	return req, nil
}

// oneParam returns the parameter's single value ("" when absent).
func oneParam(q url.Values, name string) (string, error) {
	vs := q[name]
	switch {
	case len(vs) == 0:
		return "", nil
	case len(vs) > 1:
		return "", errorf(ErrBadRequest, "%s is repeated", name)
	case !validID(vs[0]):
		return "", errorf(ErrBadRequest, "%s is too long or has control characters", name)
	}

	return vs[0], nil
}

// validID accepts printable values of at most maxParamBytes bytes.
func validID(v string) bool {
	if len(v) > maxParamBytes {
		return false
	}

	for _, c := range v {
		if c < 0x20 || c == 0x7f || c == '\uFFFD' {
			return false
		}
	}

	return true
}

// keeper keeps flows between the login and the callback.
type keeper interface {
	save(ctx context.Context, w http.ResponseWriter, f Flow, now time.Time) error
	take(ctx context.Context, w http.ResponseWriter, r *http.Request, state string,
		now time.Time) (Flow, error)
}

// storeKeeper keeps flows in a FlowStore, each bound to the browser that
// started it: the login sets a cookie holding a random binder, and the
// store keeps the flow under the state joined with the binder. A callback
// without the cookie (another browser, such as a victim's browser sent to
// an attacker's callback URL) looks up a key that no flow has.
type storeKeeper struct {
	store FlowStore
	path  string
}

func (k storeKeeper) save(ctx context.Context, w http.ResponseWriter, f Flow,
	now time.Time) error {
	binder, err := randomToken()
	if err != nil {
		return err
	}

	bound := f
	bound.State = boundState(f.State, binder)
	if err := k.store.SaveFlow(ctx, bound); errors.Is(err, ErrFlowStoreFull) {
		return err
	} else if err != nil {
		return errorf(ErrFlowStore, "save flow: %w", err)
	}

	ck := flowCookie(binderCookieName(f.State), k.path)
	ck.Value = binder
	ck.MaxAge = int(f.ExpiresAt.Sub(now).Seconds())
	ck.Expires = f.ExpiresAt
	http.SetCookie(w, ck)

	return nil
}

func (k storeKeeper) take(ctx context.Context, w http.ResponseWriter, r *http.Request,
	state string, now time.Time) (Flow, error) {
	name := binderCookieName(state)
	http.SetCookie(w, expiredCookie(name, k.path))
	ck, err := r.Cookie(name)
	if err != nil || !validBinder(ck.Value) {
		return Flow{}, errorf(ErrFlowNotFound, "the browser has no binding cookie for the state")
	}

	f, err := k.store.TakeFlow(ctx, boundState(state, ck.Value), now)
	if err != nil {
		return Flow{}, err
	}

	f.State = state

	return f, nil
}

// boundState is the key under which storeKeeper keeps a flow: the state
// and the browser's binder. Stores key flows by its StateKey, a SHA-256
// digest, so a wrong binder is refused by a lookup that finds nothing:
// the binder is never compared byte by byte, and no timing of the lookup
// tells how close a guess came.
func boundState(state, binder string) string { return state + "." + binder }

// validBinder accepts what randomToken returns: 43 base64url characters.
func validBinder(v string) bool {
	if len(v) != base64.RawURLEncoding.EncodedLen(32) {
		return false
	}

	_, err := base64.RawURLEncoding.Strict().DecodeString(v)

	return err == nil
}

type cookieKeeper struct {
	flows *CookieFlows
	path  string
}

func (k cookieKeeper) save(_ context.Context, w http.ResponseWriter, f Flow, now time.Time) error {
	ck, err := k.flows.seal(f, k.path, now)
	if err != nil {
		return err
	}

	http.SetCookie(w, ck)

	return nil
}

func (k cookieKeeper) take(_ context.Context, w http.ResponseWriter, r *http.Request,
	state string, now time.Time) (Flow, error) {
	http.SetCookie(w, expiredCookie(cookieName(state), k.path))
	return k.flows.open(r, state, now)
}

func noStore(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
}

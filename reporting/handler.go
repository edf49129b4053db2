package reporting

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/virtualaipatient/integration/internal/logkey"
	"github.com/virtualaipatient/integration/launch"
	"github.com/virtualaipatient/integration/reporting/analytics"
	"github.com/virtualaipatient/integration/session"
)

// DefaultBasePath is where the handler mounts its endpoints by default.
const DefaultBasePath = "/integrations/partner"

// Verifier checks partner-signed tokens; *launch.Verifier implements it.
type Verifier interface {
	// VerifyUnconsumed checks a launch token without consuming it; the
	// session service consumes it in the launch transaction. The launch's
	// FormOrigins decide which browser origins may post the token as a
	// form: an implementation that leaves it empty has every browser form
	// post that carries an Origin refused.
	VerifyUnconsumed(ctx context.Context, token string) (*launch.Launch, error)
	// VerifyAPICredential checks a partner API credential.
	VerifyAPICredential(ctx context.Context, token string) (*launch.APICredential, error)
}

// SessionTokens issues and checks the learner app's session bearer tokens;
// *launch.SessionTokens implements it.
type SessionTokens interface {
	// Issue returns a token bound to the session and partner, and its
	// expiry.
	Issue(sessionID, partnerID string) (string, time.Time, error)
	// Verify checks a token and returns what it is bound to.
	Verify(token string) (*launch.SessionToken, error)
}

// Catalog lists the global case catalog for GET /cases without a cohort.
type Catalog interface {
	// ListCases returns every case of the catalog, whatever its status,
	// ordered by ID.
	ListCases(ctx context.Context) ([]session.Case, error)
	// ListCaseSets returns every case set of the catalog, ordered by ID.
	ListCaseSets(ctx context.Context) ([]session.CaseSet, error)
}

// AnalyticsSource computes cohort analytics, in a store preferably with SQL
// aggregates. Every implementation must give the numbers of
// [analytics.Compute] on the same sessions.
type AnalyticsSource interface {
	// CohortAnalytics returns the report of q over the partner's sessions
	// only. q is normalized and the handler has checked that the cohort
	// is the partner's. An unknown cohort gives an empty report.
	CohortAnalytics(ctx context.Context, partnerID string, q analytics.Query) (analytics.Report, error)
}

// Config configures [New]. Verifier, Service, Tokens and LearnerAppURL are
// required; every other field has a documented default.
type Config struct {
	// BasePath prefixes every endpoint. Default DefaultBasePath.
	BasePath string
	// Verifier checks launch tokens and API credentials.
	Verifier Verifier
	// Service creates sessions and manages assignments; its Store answers
	// the reads. When its Events is nil, New sets it to WebhookEncoder{},
	// so that the webhook events of every change made through this
	// service carry the full session summary partners decode (the session
	// package's own default, session.ThinEventEncoder, does not). New
	// writes that field of the service itself: build the handler before
	// the service is used from other goroutines.
	Service *session.Service
	// Tokens issues the learner app's session bearer tokens.
	Tokens SessionTokens
	// LearnerAppURL is the learner app's absolute URL (https, or http on a
	// loopback host); launches redirect there with "#code=...".
	LearnerAppURL string
	// Codes keeps one-time launch codes. Default: a new MemoryCodes on
	// the handler's clock (Now), which works for a single process only.
	//
	// NOTE: the one-time code is issued after the launch transaction has
	// committed, even when Codes is the same SQL store, as the session
	// service offers no hook into that transaction. When issuing fails,
	// POST /launch answers 503 store_unavailable although the launch token
	// is consumed: the partner mints a new token and launches again, and
	// the relaunch rule resumes the session just created (under supersede,
	// that unused session is voided, not counted, and a new one starts).
	Codes CodeStore
	// CodeTTL is the one-time code lifetime. Default DefaultCodeTTL; at
	// most 5 minutes.
	CodeTTL time.Duration
	// Catalog answers GET /cases without a cohort. Default: the endpoint
	// answers 503 unavailable.
	Catalog Catalog
	// Changes answers GET /sessions. Default: 503 unavailable.
	Changes ChangeLister
	// ChangeSettle holds back changes younger than this from GET
	// /sessions, so that a transaction stamped earlier but committed later
	// is not skipped. Default DefaultChangeSettle.
	ChangeSettle time.Duration
	// Analytics answers GET /cohorts/{id}/analytics. Default: 503
	// unavailable.
	Analytics AnalyticsSource
	// MinCellSize is the analytics minimum cell size. Default
	// analytics.DefaultMinCellSize; never below analytics.MinCellSizeFloor.
	MinCellSize int
	// MaxBodyBytes caps request bodies. Default DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// LaunchRate limits launches per partner. Default DefaultLaunchRate.
	LaunchRate RateLimit
	// LearnerLaunchRate limits the launches of each learner (each subject
	// of a partner), by launch token and by single sign-on alike, so that
	// one learner scripting the Launch button cannot spend the partner's
	// LaunchRate: a learner's refused launch does not count against the
	// partner. Default DefaultLearnerLaunchRate (10 a minute, bursts of
	// 5). The limiters live in memory, keyed by a hash of the partner and
	// subject; idle ones are dropped, and at most 100 000 are kept. The
	// subject is never logged.
	LearnerLaunchRate RateLimit
	// ReportingRate limits reporting calls per partner. Default
	// DefaultReportingRate.
	ReportingRate RateLimit
	// Now is the clock. Default time.Now.
	Now func() time.Time
	// Logger receives one error record per request that failed because a
	// store or another dependency did (a 503 store_unavailable): the
	// route pattern, the stable code and the cause. Requests refused for
	// the caller's own reasons (4xx) are not logged. No token, code, name
	// or partner user id is ever logged: the path is logged as its route
	// pattern only. Default: discarded.
	Logger *slog.Logger
}

// Handler is the partner-facing HTTP API. It is safe for concurrent use.
type Handler struct {
	cfg      Config
	base     string
	appURL   *url.URL
	mux      *http.ServeMux
	launches *limiters
	learners *learnerLimiters
	reports  *limiters
	spec     []byte
	log      *slog.Logger
}

// New validates cfg and returns the handler.
func New(cfg Config) (*Handler, error) {
	if err := fillDefaults(&cfg); err != nil {
		return nil, err
	}

	app, err := checkAppURL(cfg.LearnerAppURL)
	if err != nil {
		return nil, err
	}

	h := &Handler{
		cfg:      cfg,
		base:     strings.TrimSuffix(cfg.BasePath, "/"),
		appURL:   app,
		launches: newLimiters(cfg.LaunchRate),
		learners: newLearnerLimiters(cfg.LearnerLaunchRate),
		reports:  newLimiters(cfg.ReportingRate),
		log:      logkey.Discard(cfg.Logger),
	}
	if base := h.base; base != "" {
		h.spec, err = openAPIFor(base)
	} else {
		h.spec, err = openAPIFor("/")
	}

	if err != nil {
		return nil, err
	}

	// Only once nothing can fail: full summaries in webhook bodies.
	if cfg.Service.Events == nil {
		cfg.Service.Events = WebhookEncoder{}
	}

	h.routes()

	return h, nil
}

func fillDefaults(cfg *Config) error {
	switch {
	case cfg.Verifier == nil:
		return fmt.Errorf("%w: verifier is required", ErrConfig)
	case cfg.Service == nil || cfg.Service.Store == nil:
		return fmt.Errorf("%w: session service with a store is required", ErrConfig)
	case cfg.Tokens == nil:
		return fmt.Errorf("%w: session tokens are required", ErrConfig)
	case cfg.MinCellSize != 0 && cfg.MinCellSize < analytics.MinCellSizeFloor:
		return fmt.Errorf("%w: minimum cell size below %d", ErrConfig, analytics.MinCellSizeFloor)
	case cfg.CodeTTL < 0 || cfg.CodeTTL > 5*time.Minute:
		return fmt.Errorf("%w: code ttl must be at most 5 minutes", ErrConfig)
	case cfg.BasePath != "" && !strings.HasPrefix(cfg.BasePath, "/"):
		return fmt.Errorf("%w: base path must start with /", ErrConfig)
	}

	setDefault(&cfg.BasePath, DefaultBasePath)
	setDefault(&cfg.CodeTTL, DefaultCodeTTL)
	setDefault(&cfg.ChangeSettle, DefaultChangeSettle)
	setDefault(&cfg.MinCellSize, analytics.DefaultMinCellSize)
	setDefault(&cfg.MaxBodyBytes, DefaultMaxBodyBytes)
	setDefault(&cfg.LaunchRate, DefaultLaunchRate)
	setDefault(&cfg.LearnerLaunchRate, DefaultLearnerLaunchRate)
	setDefault(&cfg.ReportingRate, DefaultReportingRate)
	if cfg.Now == nil {
		cfg.Now = time.Now
	}

	if cfg.Codes == nil {
		cfg.Codes = &MemoryCodes{Now: cfg.Now}
	}

	return nil
}

func setDefault[T comparable](v *T, def T) {
	var zero T
	if *v == zero {
		*v = def
	}
}

func checkAppURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" {
		return nil, fmt.Errorf("%w: learner app url must be absolute", ErrConfig)
	}

	loopback := u.Hostname() == "localhost" || u.Hostname() == "127.0.0.1" ||
		u.Hostname() == "::1"
	if u.Scheme != "https" && (u.Scheme != "http" || !loopback) {
		return nil, fmt.Errorf("%w: learner app url must be https", ErrConfig)
	}

	if u.Fragment != "" {
		return nil, fmt.Errorf("%w: learner app url must not have a fragment", ErrConfig)
	}

	return u, nil
}

// routes registers every endpoint on the standard library's mux.
func (h *Handler) routes() {
	mux := http.NewServeMux()
	b := h.base
	mux.HandleFunc("POST "+b+"/launch", h.handleLaunch)
	mux.HandleFunc("POST "+b+"/launch/exchange", h.handleExchange)
	mux.HandleFunc("GET "+b+"/openapi.json", h.handleOpenAPI)

	partner := func(p string, fn http.HandlerFunc) {
		mux.Handle(p, h.requirePartner(fn))
	}
	partner("GET "+b+"/cases", h.handleCases)
	partner("PUT "+b+"/cohorts/{cohort}/assignments/{assignment}", h.handlePutAssignment)
	partner("GET "+b+"/cohorts/{cohort}/assignments/{assignment}", h.handleGetAssignment)
	partner("DELETE "+b+"/cohorts/{cohort}/assignments/{assignment}", h.handleDeleteAssignment)
	partner("GET "+b+"/sessions/{session}", h.handleGetSession)
	partner("GET "+b+"/sessions", h.handleListSessions)
	partner("GET "+b+"/cohorts/{cohort}/analytics", h.handleAnalytics)
	partner("DELETE "+b+"/learners/{learner}", h.handleDeleteLearner)
	h.mux = mux
}

// ServeHTTP serves the API. Every response carries Cache-Control:
// no-store; unknown paths and methods get problem responses. A request
// whose query string carries something shaped like a JWT, on any path and
// with any method, gets 400 token_in_query.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")

	// A token in the URL, whatever the path, method or parameter name:
	// refused before any credential check, so the caller learns why.
	if queryHoldsToken(r.URL.RawQuery) {
		browser := r.Method == http.MethodPost &&
			mediaType(r) == "application/x-www-form-urlencoded"
		failLaunch(w, r, browser, tokenInQuery())
		return
	}

	_, pattern := h.mux.Handler(r)
	if pattern == "" {
		h.notRouted(w, r)
		return
	}

	note := &failureNote{ResponseWriter: w}
	h.mux.ServeHTTP(note, r)
	h.logFailure(r.Context(), pattern, note.code, note.cause)
}

// logFailure logs a request that failed with cause; a nil cause logs
// nothing.
func (h *Handler) logFailure(ctx context.Context, route, code string, cause error) {
	if cause != nil {
		h.log.ErrorContext(ctx, "reporting: request failed", "route", route, "code", code,
			"error", cause.Error())
	}
}

// notRouted answers 405 for a known path with another method, else 404.
func (h *Handler) notRouted(w http.ResponseWriter, r *http.Request) {
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, p := h.mux.Handler(probe); p != "" {
			writeProblem(w, newProblem(http.StatusMethodNotAllowed, CodeMethodNotAllowed, ""))
			return
		}
	}

	writeProblem(w, newProblem(http.StatusNotFound, CodeNoEndpoint,
		"no endpoint at this path; check the API's base path"))
}

func notFound() *Problem {
	return newProblem(http.StatusNotFound, CodeNotFound, "")
}

func (h *Handler) now() time.Time { return h.cfg.Now().UTC() }

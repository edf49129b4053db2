package vapserver

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/virtualaipatient/integration/examples/internal/demo"
	"github.com/virtualaipatient/integration/launch"
	"github.com/virtualaipatient/integration/partner"
	"github.com/virtualaipatient/integration/reporting"
	"github.com/virtualaipatient/integration/reporting/webhook"
	"github.com/virtualaipatient/integration/session"
)

// LearnerAppPath is where the learner page is served; launches redirect
// there with the one-time code in the URL fragment.
const LearnerAppPath = "/app/launch"

// Store is what the server needs from storage. The stores of store/sqlite
// and store/postgres implement it.
type Store interface {
	session.Store
	reporting.Catalog
	reporting.ChangeLister
	reporting.AnalyticsSource
	reporting.CodeStore
	webhook.DeliveryStore
	session.RetentionStore
}

// Partner is a partner registered with the server.
type Partner struct {
	// ID is the partner's registry id.
	ID string
	// Issuer is the exact "iss" of the partner's tokens.
	Issuer string
	// JWKSURL is the partner's JWK Set URL.
	JWKSURL string
	// WebhookURL receives the partner's webhooks; empty sends none.
	WebhookURL string
	// WebhookSecret signs the webhooks ("whsec_" and base64).
	WebhookSecret string
	// Cohorts are registered for the partner at start.
	Cohorts []session.Cohort
}

// Config configures New.
type Config struct {
	// Store holds everything (required).
	Store Store
	// PublicURL is the server's own absolute URL, such as
	// "http://127.0.0.1:8080" (required). Audiences derive from it.
	PublicURL string
	// Partners are the registered partners (at least one).
	Partners []Partner
	// SigningKey signs the learner app's session tokens. Default: a new
	// key, so tokens do not survive a restart.
	SigningKey crypto.Signer
	// WebhookPollInterval is how often the dispatcher looks for due
	// events. Default webhook.DefaultPollInterval.
	WebhookPollInterval time.Duration
	// PurgeInterval is how often Run sweeps idle sessions and purges data
	// past its retention period (session.Service.Run). Default one minute,
	// so that a demo shows idle sessions abandoned soon; production hosts
	// keep session.DefaultPurgeInterval.
	PurgeInterval time.Duration
	// Now is the session service's clock. Default time.Now; tests move it
	// to show timeouts and retention.
	Now func() time.Time
	// JWKSCooldown is the least time between two fetches of a partner's
	// JWK Set for an unknown key. Default 5 seconds, so a partner started
	// after the server is picked up quickly.
	JWKSCooldown time.Duration
	// JWKSRefresh is how often partners' JWK Sets are fetched in the
	// background. Default 5 seconds, for the same reason; production hosts
	// keep the verifier's default of one hour.
	JWKSRefresh time.Duration
	// InsecureAllowHTTPWebhooks lets webhooks go to http URLs. For
	// loopback demos only: bodies and signatures travel in clear text.
	InsecureAllowHTTPWebhooks bool
	// Logger receives the loops' failures. Default: discarded.
	Logger *slog.Logger
}

// Server is a running VAP backend. Close it when done.
type Server struct {
	cfg        Config
	service    *session.Service
	api        *reporting.Handler
	verifier   *launch.Verifier
	dispatcher *webhook.Dispatcher
	mux        *http.ServeMux
}

// New checks cfg, registers the demo catalog and the partners' cohorts in
// the store and returns the server.
func New(ctx context.Context, cfg Config) (*Server, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}

	s := &Server{cfg: cfg}
	s.service = &session.Service{
		Store: cfg.Store, Events: reporting.WebhookEncoder{}, Now: cfg.Now,
		PurgeInterval: cfg.PurgeInterval, Logger: cfg.Logger,
	}
	if err := s.register(ctx); err != nil {
		return nil, err
	}

	if err := s.build(); err != nil {
		return nil, err
	}

	return s, nil
}

func (c *Config) check() error {
	switch {
	case c.Store == nil:
		return fmt.Errorf("%w: store is required", ErrConfig)
	case c.PublicURL == "":
		return fmt.Errorf("%w: public url is required", ErrConfig)
	case len(c.Partners) == 0:
		return fmt.Errorf("%w: at least one partner is required", ErrConfig)
	}

	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	if c.PurgeInterval <= 0 {
		c.PurgeInterval = time.Minute
	}

	if c.JWKSCooldown <= 0 {
		c.JWKSCooldown = 5 * time.Second
	}

	if c.JWKSRefresh <= 0 {
		c.JWKSRefresh = 5 * time.Second
	}

	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}

	if c.SigningKey == nil {
		key, err := partner.GenerateKey()
		if err != nil {
			return fmt.Errorf("vapserver: session token key: %w", err)
		}

		c.SigningKey = key
	}

	return nil
}

// build makes the verifier, the API, the dispatcher and the routes.
func (s *Server) build() error {
	verifier, err := launch.NewVerifier(launch.VerifierConfig{
		Partners:            s.registry(),
		JWKSCooldown:        s.cfg.JWKSCooldown,
		JWKSRefreshInterval: s.cfg.JWKSRefresh,
		Logger:              s.cfg.Logger,
	})
	if err != nil {
		return fmt.Errorf("vapserver: verifier: %w", err)
	}

	s.verifier = verifier
	if err := s.buildAPI(); err != nil {
		verifier.Close()
		return err
	}

	dispatcher, err := webhook.New(webhook.Config{
		Store: s.cfg.Store, Endpoints: s.endpoints(),
		PollInterval: s.cfg.WebhookPollInterval, Logger: s.cfg.Logger,
		BackoffBase: time.Second, InsecureAllowHTTP: s.cfg.InsecureAllowHTTPWebhooks,
	})
	if err != nil {
		verifier.Close()
		return fmt.Errorf("vapserver: dispatcher: %w", err)
	}

	s.dispatcher = dispatcher
	s.routes()

	return nil
}

func (s *Server) buildAPI() error {
	keyID, err := partner.KeyID(s.cfg.SigningKey.Public())
	if err != nil {
		return fmt.Errorf("vapserver: session token key: %w", err)
	}

	tokens, err := launch.NewSessionTokens(launch.SessionTokenConfig{
		Issuer: s.cfg.PublicURL, Signer: s.cfg.SigningKey, KeyID: keyID,
	})
	if err != nil {
		return fmt.Errorf("vapserver: session tokens: %w", err)
	}

	api, err := reporting.New(reporting.Config{
		Verifier: s.verifier, Service: s.service, Tokens: tokens,
		LearnerAppURL: s.cfg.PublicURL + LearnerAppPath,
		Codes:         s.cfg.Store, Catalog: s.cfg.Store, Changes: s.cfg.Store,
		Analytics: s.cfg.Store, Logger: s.cfg.Logger,
	})
	if err != nil {
		return fmt.Errorf("vapserver: reporting api: %w", err)
	}

	s.api = api

	return nil
}

func (s *Server) registry() []launch.Partner {
	var out []launch.Partner
	for _, p := range s.cfg.Partners {
		out = append(out, launch.Partner{
			ID: p.ID, Issuer: p.Issuer, JWKSURL: p.JWKSURL,
			Audience:    demo.LaunchAudience(s.cfg.PublicURL),
			APIAudience: demo.APIAudience(s.cfg.PublicURL),
			Algorithms:  []string{launch.ES256},
		})
	}

	return out
}

func (s *Server) endpoints() webhook.StaticEndpoints {
	var out webhook.StaticEndpoints
	for _, p := range s.cfg.Partners {
		if p.WebhookURL == "" {
			continue
		}

		out = append(out, webhook.Endpoint{
			PartnerID: p.ID, URL: p.WebhookURL, Secrets: []string{p.WebhookSecret},
		})
	}

	return out
}

// Handler returns the server's routes: the partner API under
// demo.APIBasePath, the learner page and its API under /app/.
func (s *Server) Handler() http.Handler {
	return s.mux
}

// Service returns the session service, for hosts that drive sessions
// directly.
func (s *Server) Service() *session.Service {
	return s.service
}

// Run delivers webhooks, and sweeps idle sessions and purges data past
// retention every PurgeInterval (session.Service.Run, which logs the
// counts), until ctx is done.
func (s *Server) Run(ctx context.Context) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := s.dispatcher.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
			s.cfg.Logger.Error("webhook dispatcher stopped", "err", err)
		}
	}()

	if err := s.service.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
		s.cfg.Logger.Error("session maintenance stopped", "err", err)
	}

	<-done
}

// DeliverWebhooks makes one dispatcher pass and returns the number of
// events claimed.
func (s *Server) DeliverWebhooks(ctx context.Context) (int, error) {
	return s.dispatcher.DeliverDue(ctx)
}

// Close stops background key refreshes.
func (s *Server) Close() {
	s.verifier.Close()
}

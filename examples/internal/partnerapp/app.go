package partnerapp

import (
	"context"
	"crypto"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/virtualaipatient/integration/examples/internal/demo"
	"github.com/virtualaipatient/integration/partner"
	"github.com/virtualaipatient/integration/reporting"
)

// Paths the app serves.
const (
	// JWKSPath serves the partner's JWK Set, registered with VAP.
	JWKSPath = "/.well-known/jwks.json"
	// WebhookPath receives VAP's webhooks.
	WebhookPath = "/webhooks/vap"
	// LaunchPath answers a Launch button with the launch form page.
	LaunchPath = "/launch"
	// GradebookPath shows the cohort's results.
	GradebookPath = "/gradebook"
)

// Config configures New.
type Config struct {
	// PublicURL is the app's own absolute URL (required); the issuer and
	// the JWK Set URL derive from it.
	PublicURL string
	// VAPURL is the VAP backend's absolute URL (required).
	VAPURL string
	// Key signs launch tokens and API credentials. Default: a new key.
	Key crypto.Signer
	// WebhookSecret verifies VAP's webhooks. Empty disables the receiver;
	// the gradebook then reads the reporting API only.
	WebhookSecret string
	// Learner is the signed-in user of the demo. Default demo.LearnerID.
	Learner partner.Learner
	// CohortID is the course's cohort. Default demo.CohortID.
	CohortID string
	// HTTPClient calls VAP. Default: the partner client's.
	HTTPClient *http.Client
	// Logger receives webhook and API failures. Default: discarded.
	Logger *slog.Logger
}

// App is the partner web app.
type App struct {
	cfg       Config
	ring      *partner.Ring
	client    *partner.Client
	webhooks  *partner.WebhookVerifier
	gradebook *Gradebook
	mux       *http.ServeMux

	mu       sync.Mutex
	assigned bool
}

// New checks cfg and returns the app.
func New(cfg Config) (*App, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}

	ring, err := partner.NewRing(partner.RingConfig{
		Issuer:   demo.Issuer(cfg.PublicURL),
		Audience: demo.LaunchAudience(cfg.VAPURL),
	}, cfg.Key)
	if err != nil {
		return nil, fmt.Errorf("partnerapp: key ring: %w", err)
	}

	client, err := partner.NewClient(partner.ClientConfig{
		BaseURL: demo.APIBase(cfg.VAPURL), Ring: ring,
		APIAudience: demo.APIAudience(cfg.VAPURL), HTTPClient: cfg.HTTPClient,
	})
	if err != nil {
		return nil, fmt.Errorf("partnerapp: client: %w", err)
	}

	a := &App{cfg: cfg, ring: ring, client: client, gradebook: NewGradebook()}
	if cfg.WebhookSecret != "" {
		v, err := partner.NewWebhookVerifier(partner.WebhookConfig{
			Secrets: []string{cfg.WebhookSecret},
		})
		if err != nil {
			return nil, fmt.Errorf("partnerapp: webhook verifier: %w", err)
		}

		a.webhooks = v
	}

	a.routes()

	return a, nil
}

func (c *Config) check() error {
	if c.PublicURL == "" || c.VAPURL == "" {
		return fmt.Errorf("%w: public url and vap url are required", ErrConfig)
	}

	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	c.VAPURL = strings.TrimRight(c.VAPURL, "/")
	if c.Learner.ID == "" {
		c.Learner = partner.Learner{ID: demo.LearnerID}
	}

	if c.CohortID == "" {
		c.CohortID = demo.CohortID
	}

	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}

	if c.Key == nil {
		key, err := partner.GenerateKey()
		if err != nil {
			return fmt.Errorf("partnerapp: key: %w", err)
		}

		c.Key = key
	}

	return nil
}

// Issuer returns the issuer VAP registers for the app.
func (a *App) Issuer() string { return demo.Issuer(a.cfg.PublicURL) }

// JWKSURL returns the URL of the app's JWK Set.
func (a *App) JWKSURL() string { return a.cfg.PublicURL + JWKSPath }

// WebhookURL returns the URL VAP posts webhooks to.
func (a *App) WebhookURL() string { return a.cfg.PublicURL + WebhookPath }

// Client returns the partner client the app calls VAP with.
func (a *App) Client() *partner.Client { return a.client }

// Gradebook returns the app's gradebook.
func (a *App) Gradebook() *Gradebook { return a.gradebook }

// Handler returns the app's routes.
func (a *App) Handler() http.Handler { return a.mux }

// Assign gives the demo case set to the cohort at VAP. It is idempotent.
func (a *App) Assign(ctx context.Context) (*reporting.Assignment, error) {
	as, err := a.client.PutAssignment(ctx, a.cfg.CohortID, demo.AssignmentID,
		reporting.AssignmentInput{
			CaseSetID: demo.CaseSetID, Mode: "assessment", AttemptPolicy: "best",
		})
	if err != nil {
		return nil, fmt.Errorf("partnerapp: assign case set: %w", err)
	}

	a.mu.Lock()
	a.assigned = true
	a.mu.Unlock()

	return as, nil
}

// Sync reads the cohort's changed sessions from the reporting API into the
// gradebook, for sessions whose webhooks were missed.
func (a *App) Sync(ctx context.Context) error {
	q := partner.SessionQuery{CohortID: a.cfg.CohortID}
	for s, err := range a.client.Sessions(ctx, q) {
		if err != nil {
			return fmt.Errorf("partnerapp: sync sessions: %w", err)
		}

		a.gradebook.AddSummary(s)
	}

	return nil
}

// listing returns the cohort's assignments, assigning the demo case set
// first when that was not done yet.
func (a *App) listing(ctx context.Context) (*reporting.CaseListing, error) {
	a.mu.Lock()
	assigned := a.assigned
	a.mu.Unlock()

	if !assigned {
		if _, err := a.Assign(ctx); err != nil {
			return nil, err
		}
	}

	list, err := a.client.Cases(ctx, a.cfg.CohortID)
	if err != nil {
		return nil, fmt.Errorf("partnerapp: list cases: %w", err)
	}

	return list, nil
}

func (a *App) routes() {
	mux := http.NewServeMux()
	mux.Handle("GET "+JWKSPath, a.ring.JWKSHandler())
	mux.Handle("GET "+demo.StylePath, demo.StyleHandler())
	mux.Handle("POST "+LaunchPath, a.client.LaunchFormHandler(a.resolveLaunch))
	mux.HandleFunc("GET /{$}", a.handleCourse)
	mux.HandleFunc("GET "+GradebookPath, a.handleGradebook)
	if a.webhooks != nil {
		mux.Handle("POST "+WebhookPath, a.webhooks.Handler(a.receive))
	}

	a.mux = mux
}

// resolveLaunch tells who is launched into what from a Launch button: the
// signed-in learner, into the assignment the button names. A case set
// assignment is launched as the set, and VAP opens the learner's next case.
func (a *App) resolveLaunch(r *http.Request) (partner.Launch, error) {
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()

	list, err := a.listing(ctx)
	if err != nil {
		return partner.Launch{}, err
	}

	id, caseID := r.PostFormValue("assignment_id"), r.PostFormValue("case_id")
	for _, as := range list.Assignments {
		if as.AssignmentID != id || !hasCase(as, caseID) {
			continue
		}

		l := partner.Launch{Learner: a.cfg.Learner, CohortID: a.cfg.CohortID}
		if as.CaseSetID != nil {
			l.CaseSetID = *as.CaseSetID
		} else {
			l.CaseID = caseID
		}

		return l, nil
	}

	return partner.Launch{}, ErrNotAssigned
}

func hasCase(as reporting.Assignment, caseID string) bool {
	for _, c := range as.Cases {
		if c.CaseID == caseID {
			return true
		}
	}

	return false
}

// receive records a verified webhook in the gradebook; a learner.deleted
// event makes the gradebook forget the learner's sessions.
func (a *App) receive(_ context.Context, e *partner.WebhookEvent) error {
	if e.Deletion != nil {
		n := a.gradebook.Forget(*e.Deletion)
		a.cfg.Logger.Info("webhook received", "type", e.Type,
			"deletion", e.Deletion.DeletionID, "entries_dropped", n)

		return nil
	}

	if e.Summary == nil {
		return nil
	}

	if a.gradebook.AddEvent(e.ID, e.Type, *e.Summary) {
		a.cfg.Logger.Info("webhook received", "type", e.Type,
			"session", e.Summary.SessionID, "revision", e.Revision)
	}

	return nil
}

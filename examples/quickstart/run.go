package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/virtualaipatient/integration/examples/internal/demo"
	"github.com/virtualaipatient/integration/examples/internal/partnerapp"
	"github.com/virtualaipatient/integration/examples/internal/vapserver"
	"github.com/virtualaipatient/integration/reporting/webhook"
	"github.com/virtualaipatient/integration/session"
	"github.com/virtualaipatient/integration/store/sqlite"
)

type options struct {
	keepDB  bool
	serve   bool
	dbPath  string
	timeout time.Duration
	logger  *slog.Logger // both backends' logs; nil discards
}

// env is the running pair of backends.
type env struct {
	out      *report
	store    *sqlite.Store
	vap      *vapserver.Server
	app      *partnerapp.App
	vapURL   string
	appURL   string
	dbPath   string
	shutdown []func()
}

// run runs every step, printing a report to out, and ends the report with
// "quickstart: OK". With opts.serve it then keeps serving until ctx is done.
func run(ctx context.Context, out io.Writer, opts options) (err error) {
	if opts.timeout <= 0 {
		opts.timeout = time.Minute
	}

	runCtx, cancel := context.WithTimeout(ctx, opts.timeout)
	defer cancel()

	e := &env{out: &report{w: out}}
	defer e.close()

	if err := e.start(runCtx, opts); err != nil {
		return err
	}

	if err := e.steps(runCtx); err != nil {
		return err
	}

	e.out.line("quickstart: OK")
	if opts.serve {
		e.out.line("serving: partner app %s, VAP %s; press Ctrl-C to stop", e.appURL, e.vapURL)
		<-ctx.Done()
	}

	return nil
}

func (e *env) steps(ctx context.Context) error {
	steps := []func(context.Context) error{
		e.assign, e.playBrowserLaunch, e.playCohort, e.readAnalytics, e.deleteLearner,
	}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return err
		}
	}

	return nil
}

// start opens the store and starts both servers on loopback.
func (e *env) start(ctx context.Context, opts options) error {
	if err := e.openStore(ctx, opts); err != nil {
		return err
	}

	vapLn, err := listen()
	if err != nil {
		return err
	}

	appLn, err := listen()
	if err != nil {
		vapLn.Close()
		return err
	}

	e.vapURL, e.appURL = "http://"+vapLn.Addr().String(), "http://"+appLn.Addr().String()
	secret, err := webhook.NewSecret()
	if err != nil {
		return fmt.Errorf("webhook secret: %w", err)
	}

	app, err := partnerapp.New(partnerapp.Config{
		PublicURL: e.appURL, VAPURL: e.vapURL, WebhookSecret: secret, Logger: opts.logger,
	})
	if err != nil {
		return err
	}

	e.app = app
	e.serve(appLn, app.Handler())
	e.out.step("Partner backend listening on %s", e.appURL)
	e.out.detail("JWK Set %s, webhook receiver %s", app.JWKSURL(), app.WebhookURL())

	return e.startVAP(ctx, vapLn, secret, opts.logger)
}

func (e *env) openStore(ctx context.Context, opts options) error {
	e.dbPath = opts.dbPath
	if e.dbPath == "" {
		dir, err := os.MkdirTemp("", "vap-quickstart-")
		if err != nil {
			return fmt.Errorf("temporary directory: %w", err)
		}

		e.dbPath = filepath.Join(dir, "vap.db")
		if !opts.keepDB {
			e.shutdown = append(e.shutdown, func() { os.RemoveAll(dir) })
		}
	}

	// The run's learners and cohort are fixed, so a database that holds a
	// run already would mix two runs' sessions into one report.
	if info, err := os.Stat(e.dbPath); err == nil && info.Size() > 0 {
		return fmt.Errorf("%w: %s exists; name a new file with -db", errDatabaseExists, e.dbPath)
	}

	st, err := sqlite.Open(ctx, e.dbPath, sqlite.Options{})
	if err != nil {
		return fmt.Errorf("open sqlite: %w", err)
	}

	e.store = st
	e.shutdown = append(e.shutdown, func() { st.Close() })
	if opts.keepDB || opts.dbPath != "" {
		e.out.step("SQLite database %s (kept)", e.dbPath)
	}

	return nil
}

func (e *env) startVAP(ctx context.Context, ln net.Listener, secret string,
	logger *slog.Logger) error {
	vap, err := vapserver.New(ctx, vapserver.Config{
		Store: e.store, PublicURL: e.vapURL,
		Partners: []vapserver.Partner{{
			ID: demo.PartnerID, Issuer: e.app.Issuer(), JWKSURL: e.app.JWKSURL(),
			WebhookURL: e.app.WebhookURL(), WebhookSecret: secret,
			Cohorts: []session.Cohort{{ID: demo.CohortID, Name: demo.CohortName}},
		}},
		WebhookPollInterval: 50 * time.Millisecond,
		Logger:              logger,
	})
	if err != nil {
		ln.Close()
		return err
	}

	e.vap = vap
	e.shutdown = append(e.shutdown, vap.Close)
	e.serve(ln, vap.Handler())

	loops, stop := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() { defer close(done); vap.Run(loops) }()
	e.shutdown = append(e.shutdown, func() { stop(); <-done })

	e.out.step("VAP backend listening on %s (embedded SQLite)", e.vapURL)
	e.out.detail("catalog: %d cases, case set %q; partner %q with cohort %q registered",
		len(demo.Cases()), demo.CaseSetID, demo.PartnerID, demo.CohortID)

	return nil
}

// serve serves h on ln until the run ends.
func (e *env) serve(ln net.Listener, h http.Handler) {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	e.shutdown = append(e.shutdown, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	})
}

// close stops everything, last started first.
func (e *env) close() {
	for i := len(e.shutdown) - 1; i >= 0; i-- {
		e.shutdown[i]()
	}
}

func listen() (net.Listener, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen on loopback: %w", err)
	}

	return ln, nil
}

// errNoWebhook is returned when the partner did not receive the webhook
// of the played session, or of the deletion, in time.
var errNoWebhook = errors.New("no webhook received")

// errDatabaseExists is returned when -db names a file that is not empty.
var errDatabaseExists = errors.New("the database file is not new")

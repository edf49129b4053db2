// Command vap runs the example VAP backend: the partner-facing reporting
// API, a minimal learner page standing in for the Flutter app, the webhook
// dispatcher, and the session maintenance loop (session.Service.Run), which
// abandons idle sessions and purges data past its retention period every
// -purge-interval and logs the counts. It registers the demo catalog and
// one partner at start: by default the demo partner app (examples/partner)
// at -partner-url, or a partner app of your own described by -partner-id,
// -issuer, -jwks-url and -webhook-url.
//
//	go run ./examples/vap                                  # SQLite file vap.db
//	go run ./examples/vap -postgres 'postgres://…/vap'     # PostgreSQL
//	go run ./examples/vap -partner-id my-lms -issuer https://lms.example.edu \
//	    -jwks-url https://lms.example.edu/.well-known/jwks.json -webhook-url ''
//
// At start it logs the registry the partner must match: partner id,
// issuer, launch and API audiences, JWKS URL, webhook URL, the API's base
// URL and the learner app URL.
//
// Webhooks are signed with -webhook-secret (or $VAP_DEMO_WEBHOOK_SECRET);
// without one a new secret is made and printed, to give to the partner app.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/virtualaipatient/integration/examples/internal/demo"
	"github.com/virtualaipatient/integration/examples/internal/partnerapp"
	"github.com/virtualaipatient/integration/examples/internal/vapserver"
	"github.com/virtualaipatient/integration/reporting/webhook"
	"github.com/virtualaipatient/integration/session"
	"github.com/virtualaipatient/integration/store/postgres"
	"github.com/virtualaipatient/integration/store/sqlite"
)

type flags struct {
	addr, publicURL, dbPath, dsn string
	purgeInterval                time.Duration

	// The registered partner.
	partnerURL, partnerID, issuer string
	jwksURL, webhookURL, secret   string
}

func main() {
	f, err := parseFlags(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}

	if err != nil {
		os.Exit(2) // the flag package has printed the error and the usage
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(ctx, f, log); err != nil {
		fmt.Fprintln(os.Stderr, "vap:", err)
		os.Exit(1)
	}
}

const usageHead = `Usage: go run ./examples/vap [flags]

Runs the example VAP backend: the partner API, the learner page and the
background loops. Start examples/partner next to it: with no flags the two
work together.

One partner is registered. By default it is the example partner app at
-partner-url: issuer <partner-url>, keys at <partner-url>%s,
webhooks to <partner-url>%s. For a partner app of your own, set
-partner-id, -issuer (the exact "iss" of its tokens), -jwks-url and
-webhook-url (empty for none), and share -webhook-secret with it.

At start the backend logs the registry the partner must match. These
values derive from -public-url:
  launch audience  <public-url>%s/launch  (aud of launch tokens)
  API audience     <public-url>%s  (aud of API credentials)
  partner API      <public-url>%s/...
  learner app      <public-url>%s

Flags:
`

// parseFlags parses args, fills in the defaults derived from other flags
// and returns the flags. -h prints the usage on out and returns
// flag.ErrHelp.
func parseFlags(args []string, out io.Writer) (flags, error) {
	var f flags
	fs := flag.NewFlagSet("vap", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&f.addr, "addr", "127.0.0.1:8080", "listen address")
	fs.StringVar(&f.publicURL, "public-url", "",
		"public URL, from which the audiences derive (default http://<addr>)")
	fs.StringVar(&f.dbPath, "db", "vap.db", "SQLite database file")
	fs.StringVar(&f.dsn, "postgres", "", "PostgreSQL DSN; when set, used instead of SQLite")
	fs.DurationVar(&f.purgeInterval, "purge-interval", time.Minute,
		"how often idle sessions are swept and data past retention is purged")
	fs.StringVar(&f.partnerURL, "partner-url", "http://127.0.0.1:8090",
		"URL of the partner app, from which -issuer, -jwks-url and -webhook-url derive")
	fs.StringVar(&f.partnerID, "partner-id", demo.PartnerID, "the partner's registry id")
	fs.StringVar(&f.issuer, "issuer", "",
		`exact "iss" of the partner's tokens (default <partner-url>)`)
	fs.StringVar(&f.jwksURL, "jwks-url", "",
		"the partner's JWK Set URL, https or http on loopback "+
			"(default <partner-url>"+partnerapp.JWKSPath+")")
	fs.StringVar(&f.webhookURL, "webhook-url", "",
		"where webhooks are posted, https or http on loopback; an empty value sends none "+
			"(default <partner-url>"+partnerapp.WebhookPath+")")
	fs.StringVar(&f.secret, "webhook-secret", "",
		"webhook secret shared with the partner app (default $VAP_DEMO_WEBHOOK_SECRET, "+
			"else a new one is printed)")
	fs.Usage = func() {
		b := demo.APIBasePath
		fmt.Fprintf(fs.Output(), usageHead, partnerapp.JWKSPath, partnerapp.WebhookPath,
			b, b, b, vapserver.LearnerAppPath)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return f, err
	}

	if fs.NArg() > 0 {
		err := fmt.Errorf("unexpected argument %q", fs.Arg(0))
		fmt.Fprintln(out, err)
		fs.Usage()

		return f, err
	}

	webhookSet := false
	fs.Visit(func(fl *flag.Flag) { webhookSet = webhookSet || fl.Name == "webhook-url" })
	f.fillDefaults(webhookSet)

	return f, nil
}

// fillDefaults derives what was left out from the other flags and the
// environment. An explicitly empty -webhook-url stays empty.
func (f *flags) fillDefaults(webhookSet bool) {
	partnerURL := strings.TrimRight(f.partnerURL, "/")
	if f.publicURL == "" {
		f.publicURL = "http://" + f.addr
	}

	if f.issuer == "" {
		f.issuer = demo.Issuer(partnerURL)
	}

	if f.jwksURL == "" {
		f.jwksURL = partnerURL + partnerapp.JWKSPath
	}

	if !webhookSet {
		f.webhookURL = partnerURL + partnerapp.WebhookPath
	}

	if f.secret == "" {
		f.secret = os.Getenv("VAP_DEMO_WEBHOOK_SECRET")
	}
}

func run(ctx context.Context, f flags, log *slog.Logger) error {
	srv, closeAll, err := start(ctx, f, log, os.Stdout)
	if err != nil {
		return err
	}
	defer closeAll()

	go srv.Run(ctx)

	return serve(ctx, f.addr, srv.Handler(), log, f.publicURL)
}

// start opens the store, builds the server and logs the registry. A new
// webhook secret, when one is needed, is printed on out. The returned
// function closes the server and the store.
func start(ctx context.Context, f flags, log *slog.Logger,
	out io.Writer) (*vapserver.Server, func(), error) {
	if f.secret == "" && f.webhookURL != "" {
		s, err := webhook.NewSecret()
		if err != nil {
			return nil, nil, err
		}

		f.secret = s
		fmt.Fprintf(out, "webhook secret (start the partner app with it):\n"+
			"  go run ./examples/partner -webhook-secret '%s'\n", s)
	}

	store, closeStore, err := openStore(ctx, f)
	if err != nil {
		return nil, nil, err
	}

	srv, err := vapserver.New(ctx, vapserver.Config{
		Store: store, PublicURL: f.publicURL, Logger: log,
		Partners: []vapserver.Partner{{
			ID: f.partnerID, Issuer: f.issuer, JWKSURL: f.jwksURL,
			WebhookURL: f.webhookURL, WebhookSecret: f.secret,
			Cohorts: []session.Cohort{{ID: demo.CohortID, Name: demo.CohortName}},
		}},
		WebhookPollInterval: 250 * time.Millisecond,
		PurgeInterval:       f.purgeInterval,
	})
	if err != nil {
		closeStore()

		return nil, nil, err
	}

	for _, r := range srv.Registrations() {
		logRegistration(log, r)
	}

	return srv, func() { srv.Close(); closeStore() }, nil
}

// logRegistration logs what the partner must match, never the secret.
func logRegistration(log *slog.Logger, r vapserver.Registration) {
	webhookURL := r.WebhookURL
	if webhookURL == "" {
		webhookURL = "none"
	}

	log.Info("partner registered: configure the partner app with these values",
		"partner_id", r.PartnerID,
		"issuer", r.Issuer,
		"launch_audience", r.LaunchAudience,
		"api_audience", r.APIAudience,
		"algorithms", strings.Join(r.Algorithms, ","),
		"jwks_url", r.JWKSURL,
		"webhook_url", webhookURL,
		"cohorts", strings.Join(r.CohortIDs, ","),
		"api_base_path", demo.APIBasePath,
		"api_base", r.APIBaseURL,
		"learner_app", r.LearnerAppURL)
}

// openStore opens PostgreSQL when a DSN is given, else the SQLite file.
func openStore(ctx context.Context, f flags) (vapserver.Store, func(), error) {
	if f.dsn != "" {
		st, err := postgres.Open(ctx, f.dsn, postgres.Options{})
		if err != nil {
			return nil, nil, fmt.Errorf("open postgres: %w", err)
		}

		return st, st.Close, nil
	}

	st, err := sqlite.Open(ctx, f.dbPath, sqlite.Options{})
	if err != nil {
		return nil, nil, fmt.Errorf("open sqlite: %w", err)
	}

	return st, func() { _ = st.Close() }, nil
}

func serve(ctx context.Context, addr string, h http.Handler, log *slog.Logger,
	url string) error {
	srv := &http.Server{Addr: addr, Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()

	log.Info("VAP backend listening", "url", url, "addr", addr)
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}

	return nil
}

// Command vap runs the example VAP backend: the partner-facing reporting
// API, a minimal learner page standing in for the Flutter app, the webhook
// dispatcher, and the session maintenance loop (session.Service.Run), which
// abandons idle sessions and purges data past its retention period every
// -purge-interval and logs the counts. It registers the demo catalog and
// the demo partner (examples/partner) at start.
//
//	go run ./examples/vap                                  # SQLite file vap.db
//	go run ./examples/vap -postgres 'postgres://…/vap'     # PostgreSQL
//
// Webhooks are signed with -webhook-secret (or $VAP_DEMO_WEBHOOK_SECRET);
// without one a new secret is made and printed, to give to the partner app.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
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
	addr, publicURL, dbPath, dsn, partnerURL, secret string
	purgeInterval                                    time.Duration
}

func main() {
	var f flags
	flag.StringVar(&f.addr, "addr", "127.0.0.1:8080", "listen address")
	flag.StringVar(&f.publicURL, "public-url", "", "public URL (default http://<addr>)")
	flag.StringVar(&f.dbPath, "db", "vap.db", "SQLite database file")
	flag.StringVar(&f.dsn, "postgres", "", "PostgreSQL DSN; when set, used instead of SQLite")
	flag.StringVar(&f.partnerURL, "partner-url", "http://127.0.0.1:8090",
		"URL of the example partner app")
	flag.StringVar(&f.secret, "webhook-secret", "",
		"webhook secret shared with the partner app (default $VAP_DEMO_WEBHOOK_SECRET, "+
			"else a new one is printed)")
	flag.DurationVar(&f.purgeInterval, "purge-interval", time.Minute,
		"how often idle sessions are swept and data past retention is purged")
	flag.Usage = func() {
		fmt.Fprint(flag.CommandLine.Output(), "Usage: go run ./examples/vap [flags]\n\n"+
			"Runs the example VAP backend: the reporting API, the learner page and the\n"+
			"background loops. Start examples/partner next to it.\n\nFlags:\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if f.secret == "" {
		f.secret = os.Getenv("VAP_DEMO_WEBHOOK_SECRET")
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(ctx, f, log); err != nil {
		fmt.Fprintln(os.Stderr, "vap:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, f flags, log *slog.Logger) error {
	if f.publicURL == "" {
		f.publicURL = "http://" + f.addr
	}

	if f.secret == "" {
		s, err := webhook.NewSecret()
		if err != nil {
			return err
		}

		f.secret = s
		fmt.Printf("webhook secret (start the partner app with it):\n"+
			"  go run ./examples/partner -webhook-secret '%s'\n", s)
	}

	store, closeStore, err := openStore(ctx, f)
	if err != nil {
		return err
	}
	defer closeStore()

	partnerURL := strings.TrimRight(f.partnerURL, "/")
	srv, err := vapserver.New(ctx, vapserver.Config{
		Store: store, PublicURL: f.publicURL, Logger: log,
		Partners: []vapserver.Partner{{
			ID: demo.PartnerID, Issuer: demo.Issuer(partnerURL),
			JWKSURL:    partnerURL + partnerapp.JWKSPath,
			WebhookURL: partnerURL + partnerapp.WebhookPath, WebhookSecret: f.secret,
			Cohorts: []session.Cohort{{ID: demo.CohortID, Name: demo.CohortName}},
		}},
		WebhookPollInterval:       250 * time.Millisecond,
		PurgeInterval:             f.purgeInterval,
		InsecureAllowHTTPWebhooks: true,
	})
	if err != nil {
		return err
	}
	defer srv.Close()

	go srv.Run(ctx)

	return serve(ctx, f.addr, srv.Handler(), log, f.publicURL)
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

	log.Info("VAP backend listening", "url", url, "learner_page", url+vapserver.LearnerAppPath)
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}

	return nil
}

// Command partner runs the example partner web app: a course page listing
// the cohort's assigned cases with a Launch button per case, the partner's
// JWK Set, a webhook receiver and a gradebook. Run the example VAP backend
// (examples/vap) next to it and open http://127.0.0.1:8090/.
//
//	go run ./examples/partner -webhook-secret 'whsec_…'
//
// Without a webhook secret the receiver is off and the gradebook reads the
// reporting API only.
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
	"time"

	"github.com/virtualaipatient/integration/examples/internal/demo"
	"github.com/virtualaipatient/integration/examples/internal/partnerapp"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8090", "listen address")
	publicURL := flag.String("public-url", "", "public URL (default http://<addr>)")
	vapURL := flag.String("vap-url", "http://127.0.0.1:8080", "URL of the example VAP backend")
	secret := flag.String("webhook-secret", "",
		"webhook secret printed by examples/vap (default $VAP_DEMO_WEBHOOK_SECRET)")
	flag.Usage = func() {
		fmt.Fprint(flag.CommandLine.Output(), "Usage: go run ./examples/partner [flags]\n\n"+
			"Runs the example partner web app (course page, JWKS, webhook receiver,\n"+
			"gradebook). Start examples/vap first; it prints the webhook secret.\n\nFlags:\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if *secret == "" {
		*secret = os.Getenv("VAP_DEMO_WEBHOOK_SECRET")
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	if *publicURL == "" {
		*publicURL = "http://" + *addr
	}

	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	app, err := partnerapp.New(partnerapp.Config{
		PublicURL: *publicURL, VAPURL: *vapURL, WebhookSecret: *secret, Logger: log,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "partner:", err)
		os.Exit(1)
	}

	if *secret == "" {
		log.Warn("no webhook secret: the webhook receiver is off")
	}

	// What the VAP backend's registry must hold, to compare with the
	// registry examples/vap logs at start.
	log.Info("partner app tokens", "issuer", app.Issuer(), "jwks_url", app.JWKSURL(),
		"webhook_url", app.WebhookURL(), "launch_audience", demo.LaunchAudience(*vapURL),
		"api_audience", demo.APIAudience(*vapURL))

	if err := serve(ctx, *addr, app.Handler(), log, *publicURL); err != nil {
		fmt.Fprintln(os.Stderr, "partner:", err)
		os.Exit(1)
	}
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

	log.Info("partner app listening", "url", url)
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}

	return nil
}

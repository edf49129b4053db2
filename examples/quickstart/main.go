// Command quickstart runs the whole integration on loopback in one process:
// a VAP backend on an embedded SQLite store and a partner backend. The
// partner assigns a case set to its cohort and launches a learner as a
// browser would; the learner plays a scripted case; VAP scores it and sends
// a signed webhook; the partner reads the summary and the cohort analytics,
// and finally deletes one learner's personal data and gets the deletion
// receipt, by API and by webhook. Each step is printed; the last line is
// "quickstart: OK".
//
//	go run ./examples/quickstart           # run once, then clean up
//	go run ./examples/quickstart -serve    # keep both servers running
//	go run ./examples/quickstart -keep-db  # keep the SQLite file
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"
)

func main() {
	var opts options
	flag.BoolVar(&opts.keepDB, "keep-db", false,
		"keep the SQLite database (its path is printed)")
	flag.BoolVar(&opts.serve, "serve", false,
		"keep both servers running after the run, until interrupted")
	flag.StringVar(&opts.dbPath, "db", "",
		"new SQLite database file to create and keep (default: one in a new temporary "+
			"directory); an existing file is refused, since each run plays the same learners")
	flag.DurationVar(&opts.timeout, "timeout", 60*time.Second, "time limit of the run")
	flag.Usage = func() {
		fmt.Fprint(flag.CommandLine.Output(), "Usage: go run ./examples/quickstart [flags]\n\n"+
			"Runs a VAP backend and a partner backend on loopback, plays one learner's\n"+
			"launch end to end and prints each step; the last line is \"quickstart: OK\".\n\n"+
			"Flags:\n")
		flag.PrintDefaults()
	}
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	if err := run(ctx, os.Stdout, opts); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart: FAILED:", err)
		os.Exit(1)
	}
}

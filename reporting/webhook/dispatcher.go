package webhook

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/virtualaipatient/integration/session"
)

// Defaults of the [Config] fields.
const (
	// DefaultTimeout bounds one attempt: connecting, sending and reading
	// the response status.
	DefaultTimeout = 10 * time.Second
	// DefaultBackoffBase is the wait after the first failed attempt.
	DefaultBackoffBase = 5 * time.Second
	// DefaultBackoffMax caps the wait between attempts.
	DefaultBackoffMax = time.Hour
	// DefaultMaxAttempts is the number of attempts before an event is
	// parked as dead.
	DefaultMaxAttempts = 20
	// DefaultMaxAge is the age after which a failing event is parked as
	// dead.
	DefaultMaxAge = 72 * time.Hour
	// DefaultBatchSize is how many events a pass claims.
	DefaultBatchSize = 32
	// DefaultConcurrency is how many attempts a pass makes at once.
	DefaultConcurrency = 4
	// DefaultPollInterval is how long Run waits when no event is due.
	DefaultPollInterval = time.Second
	// DefaultClockSkew is the difference allowed between the clocks of
	// dispatchers that share a store.
	DefaultClockSkew = 30 * time.Second
)

// Config configures a [Dispatcher]. Store and Endpoints are required; zero
// fields take the defaults documented on them.
//
// NOTE: leases are dated by each dispatcher's own clock (Now), not by the
// database's: a claim's lease end is its host's now plus Lease, and another
// dispatcher takes the event over once its own now passes that end. Hosts
// sharing a store must keep their clocks synchronised (NTP) to within
// ClockSkew. A dispatcher starts an attempt only while Timeout plus
// ClockSkew remain of its lease, so that the attempt is over before a
// dispatcher whose clock runs up to ClockSkew ahead sees the lease expire;
// with a larger skew an attempt may overlap another dispatcher's attempt
// of the same event. A claimed event with less of its lease left is given
// back unstarted (see [ClaimReleaser]): it is due again at once, the claim
// does not count as an attempt, and the dispatcher starts it before the
// events it has not given back the next time it claims it.
type Config struct {
	// Store holds the outbox and its delivery state. Required.
	Store DeliveryStore
	// Endpoints gives the partners' endpoints. Required. Events of a
	// partner without an endpoint stay pending. [New] checks every entry
	// of a [StaticEndpoints] list and refuses an invalid one; an endpoint
	// of another source is checked on every pass, and an invalid one is
	// skipped (its partner's events stay pending) and logged at most once
	// per partner every ten minutes, or again when what is wrong changes.
	Endpoints EndpointSource
	// Client sends the requests; nil means a client that follows no
	// redirects (a redirect counts as a failure). Each attempt is bounded
	// by Timeout through its context.
	Client *http.Client
	// Now returns the current time; nil means time.Now. It dates the
	// signatures, the leases (see the NOTE above), the retries and the
	// HTTP-date form of Retry-After.
	Now func() time.Time
	// Owner names this dispatcher in leases; empty means a random UUID.
	// Dispatchers sharing a store must have distinct owners.
	Owner string
	// Timeout bounds one attempt. Default DefaultTimeout.
	Timeout time.Duration
	// ClockSkew is the largest difference between the clocks of the
	// dispatchers sharing the store. Default DefaultClockSkew.
	ClockSkew time.Duration
	// Lease is how long a claim holds its events. Default: enough for a
	// whole pass, (⌈BatchSize/Concurrency⌉+1)·Timeout + ClockSkew. New
	// refuses a Lease below 2·Timeout + ClockSkew with ErrLeaseTooShort.
	// With a shorter lease than the default, the events a pass cannot
	// start in time are given back and start first in a later pass.
	Lease time.Duration
	// BackoffBase defaults to DefaultBackoffBase.
	BackoffBase time.Duration
	// BackoffMax caps the wait between attempts, a Retry-After included.
	// Default DefaultBackoffMax.
	BackoffMax time.Duration
	// MaxAttempts defaults to DefaultMaxAttempts.
	MaxAttempts int
	// MaxAge defaults to DefaultMaxAge.
	MaxAge time.Duration
	// BatchSize defaults to DefaultBatchSize.
	BatchSize int
	// Concurrency defaults to DefaultConcurrency.
	Concurrency int
	// PollInterval defaults to DefaultPollInterval.
	PollInterval time.Duration
	// Logger receives delivery failures and dead events (event id,
	// partner, attempt, status; never a secret or a body); nil discards.
	Logger *slog.Logger
	// InsecureAllowHTTP accepts http:// endpoint URLs on any host; without
	// it, http is accepted on loopback hosts only (localhost, 127.0.0.1,
	// ::1). For tests only: bodies and signatures then travel in clear
	// text.
	InsecureAllowHTTP bool
}

// Dispatcher delivers outbox events to partners' endpoints. It is safe for
// concurrent use; several dispatchers (processes) may share one store.
type Dispatcher struct {
	cfg Config
	log *slog.Logger

	// mu guards skipped, waiting and passes.
	mu sync.Mutex
	// skipped remembers, per partner, the invalid endpoint last logged,
	// so that a pass every PollInterval does not log it every time.
	skipped map[string]skipNote
	// waiting remembers, by event id, the claims given back unstarted, so
	// that the next passes start them first; passes numbers the passes.
	waiting map[string]waitNote
	passes  uint64
}

// skipNote is an invalid endpoint that was logged.
type skipNote struct {
	reason string
	at     time.Time
}

// waitNote is a claim given back unstarted: since is the pass that first
// gave it back, seen the last pass that claimed it.
type waitNote struct {
	since, seen uint64
}

// skipLogInterval is the least time between two log records of the same
// invalid endpoint.
const skipLogInterval = 10 * time.Minute

// New checks cfg, fills in the defaults and returns the dispatcher.
func New(cfg Config) (*Dispatcher, error) {
	if cfg.Store == nil || cfg.Endpoints == nil {
		return nil, fmt.Errorf("%w: store and endpoints are required", ErrConfig)
	}

	negative := cfg.Timeout < 0 || cfg.BackoffBase < 0 || cfg.BackoffMax < 0 ||
		cfg.MaxAttempts < 0 || cfg.MaxAge < 0 || cfg.BatchSize < 0 ||
		cfg.Concurrency < 0 || cfg.PollInterval < 0 || cfg.ClockSkew < 0 || cfg.Lease < 0
	if negative {
		return nil, fmt.Errorf("%w: negative setting", ErrConfig)
	}

	if err := checkStatic(cfg); err != nil {
		return nil, err
	}

	fillDefaults(&cfg)
	if least := minLease(cfg); cfg.Lease < least {
		return nil, fmt.Errorf("%w: lease %s, at least %s (2 x timeout + clock skew)",
			ErrLeaseTooShort, cfg.Lease, least)
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}

	return &Dispatcher{cfg: cfg, log: log, skipped: map[string]skipNote{},
		waiting: map[string]waitNote{}}, nil
}

// checkStatic returns an *EndpointError for the first invalid entry of a
// StaticEndpoints list, which no later pass could deliver to.
func checkStatic(cfg Config) error {
	list, ok := cfg.Endpoints.(StaticEndpoints)
	if !ok {
		return nil
	}

	for i, e := range list {
		if _, err := checkEndpoint(e, cfg.InsecureAllowHTTP); err != nil {
			return &EndpointError{PartnerID: e.PartnerID, Index: i, Err: err}
		}
	}

	return nil
}

func fillDefaults(c *Config) {
	if c.Client == nil {
		c.Client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}}
	}

	if c.Now == nil {
		c.Now = time.Now
	}

	if c.Owner == "" {
		c.Owner = uuid.NewString()
	}

	c.Timeout = orDefault(c.Timeout, DefaultTimeout)
	c.ClockSkew = orDefault(c.ClockSkew, DefaultClockSkew)
	c.BackoffBase = orDefault(c.BackoffBase, DefaultBackoffBase)
	c.BackoffMax = orDefault(c.BackoffMax, DefaultBackoffMax)
	c.MaxAttempts = orDefault(c.MaxAttempts, DefaultMaxAttempts)
	c.MaxAge = orDefault(c.MaxAge, DefaultMaxAge)
	c.BatchSize = orDefault(c.BatchSize, DefaultBatchSize)
	c.Concurrency = orDefault(c.Concurrency, DefaultConcurrency)
	c.PollInterval = orDefault(c.PollInterval, DefaultPollInterval)
	c.Lease = orDefault(c.Lease, passLease(*c))
}

// passLease is the default lease: it covers a whole pass, where every wave
// of Concurrency attempts may take Timeout, plus one Timeout of margin and
// the clock skew.
func passLease(c Config) time.Duration {
	waves := (c.BatchSize + c.Concurrency - 1) / c.Concurrency
	return time.Duration(waves+1)*c.Timeout + c.ClockSkew
}

// minLease is the shortest lease New accepts: one attempt with the skew
// allowance, plus one Timeout of margin for the claim, the scheduling of
// the attempt and the recording of its outcome.
func minLease(c Config) time.Duration {
	return 2*c.Timeout + c.ClockSkew
}

func orDefault[T int | time.Duration](v, def T) T {
	if v > 0 {
		return v
	}

	return def
}

func (d *Dispatcher) now() time.Time {
	return d.cfg.Now().UTC().Truncate(time.Microsecond)
}

// Run delivers events until ctx is done, then returns ctx's error. It
// makes a pass ([Dispatcher.DeliverDue]) at once after a full batch and
// otherwise every PollInterval. Store and endpoint errors are logged and
// retried at the next pass.
func (d *Dispatcher) Run(ctx context.Context) error {
	for {
		n, err := d.DeliverDue(ctx)
		if err != nil && ctx.Err() == nil {
			d.log.ErrorContext(ctx, "webhook: pass failed", "error", err)
		}

		if n >= d.cfg.BatchSize && err == nil {
			continue
		}

		t := time.NewTimer(d.cfg.PollInterval)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// DeliverDue makes one pass: it claims up to BatchSize due events, sends
// them (Concurrency at a time) and records each outcome. Claims given back
// unstarted by earlier passes start first, the longest waiting first; the
// others start in the order written. It returns the number of events
// claimed, those given back included.
func (d *Dispatcher) DeliverDue(ctx context.Context) (int, error) {
	targets, partners, err := d.targets(ctx)
	if err != nil || len(partners) == 0 {
		return 0, err
	}

	now := d.now()
	q := session.ClaimQuery{Owner: d.cfg.Owner, Partners: partners, Now: now,
		LeaseUntil: now.Add(d.cfg.Lease), Limit: d.cfg.BatchSize}
	claimed, err := d.cfg.Store.ClaimDeliveries(ctx, q)
	if err != nil {
		return 0, fmt.Errorf("webhook: claim: %w", err)
	}

	d.startOrder(claimed)
	started := make([]bool, len(claimed))
	sem := make(chan struct{}, d.cfg.Concurrency)
	done := make(chan struct{})
	for i, del := range claimed {
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; done <- struct{}{} }()
			started[i] = d.deliver(ctx, targets[del.Event.PartnerID], del)
		}()
	}

	for range claimed {
		<-done
	}

	d.noteWaiting(claimed, started)

	return len(claimed), nil
}

// startOrder sorts the claims of a pass: those given back unstarted
// before go first, the longest waiting first, then the others. Claims in
// Seq order otherwise keep it, so that an event given back in every pass
// (its lease too short once the earlier ones have run) is not left behind
// the same earlier events each time.
func (d *Dispatcher) startOrder(claimed []session.Delivery) {
	d.mu.Lock()
	defer d.mu.Unlock()

	if len(d.waiting) == 0 {
		return
	}

	slices.SortStableFunc(claimed, func(a, b session.Delivery) int {
		wa, oka := d.waiting[a.Event.ID]
		wb, okb := d.waiting[b.Event.ID]
		switch {
		case oka && okb:
			return cmp.Compare(wa.since, wb.since)
		case oka:
			return -1
		case okb:
			return 1
		}

		return 0
	})
}

// noteWaiting remembers the claims of a pass that were given back and
// forgets those started. A claim given back that the dispatcher has not
// claimed again for two passes (another took it) is forgotten too, so
// that waiting stays within two batches.
func (d *Dispatcher) noteWaiting(claimed []session.Delivery, started []bool) {
	d.mu.Lock()
	defer d.mu.Unlock()

	d.passes++
	for i, del := range claimed {
		id := del.Event.ID
		if started[i] {
			delete(d.waiting, id)
			continue
		}

		w, ok := d.waiting[id]
		if !ok {
			w.since = d.passes
		}

		w.seen = d.passes
		d.waiting[id] = w
	}

	for id, w := range d.waiting {
		if d.passes-w.seen > 1 {
			delete(d.waiting, id)
		}
	}
}

// targets returns the checked endpoints by partner, and the partners.
func (d *Dispatcher) targets(ctx context.Context) (map[string]*target, []string, error) {
	list, err := d.cfg.Endpoints.Endpoints(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("webhook: endpoints: %w", err)
	}

	out := make(map[string]*target, len(list))
	partners := make([]string, 0, len(list))
	listed := make(map[string]bool, len(list))
	for _, e := range list {
		listed[e.PartnerID] = true
		t, err := checkEndpoint(e, d.cfg.InsecureAllowHTTP)
		if err != nil {
			d.skip(ctx, e.PartnerID, err)
			continue
		}

		d.forgetSkip(t.partnerID)

		if _, dup := out[t.partnerID]; !dup {
			out[t.partnerID] = t
			partners = append(partners, t.partnerID)
		}
	}

	d.pruneSkips(listed)

	return out, partners, nil
}

// skip logs an invalid endpoint, unless the same error of the same
// partner was logged less than skipLogInterval ago.
func (d *Dispatcher) skip(ctx context.Context, partnerID string, err error) {
	now := d.now()
	d.mu.Lock()
	last, seen := d.skipped[partnerID]
	fresh := !seen || last.reason != err.Error() || now.Sub(last.at) >= skipLogInterval
	if fresh {
		d.skipped[partnerID] = skipNote{reason: err.Error(), at: now}
	}
	d.mu.Unlock()

	if fresh {
		d.log.ErrorContext(ctx, "webhook: endpoint skipped, its events stay pending",
			"partner", partnerID, "error", err, "repeat_after", skipLogInterval)
	}
}

// forgetSkip drops the note of a partner whose endpoint is valid again, so
// that it is logged at once if it breaks again.
func (d *Dispatcher) forgetSkip(partnerID string) {
	d.mu.Lock()
	delete(d.skipped, partnerID)
	d.mu.Unlock()
}

// pruneSkips drops the notes of partners the source no longer lists.
func (d *Dispatcher) pruneSkips(listed map[string]bool) {
	d.mu.Lock()
	defer d.mu.Unlock()

	for id := range d.skipped {
		if !listed[id] {
			delete(d.skipped, id)
		}
	}
}

// deliver makes one attempt and records its outcome. It returns false,
// having given the claim back, when it did not start the attempt.
func (d *Dispatcher) deliver(ctx context.Context, t *target, del session.Delivery) bool {
	// Start only if the attempt ends before the lease does, as seen by a
	// dispatcher whose clock runs ClockSkew ahead of ours, and not while
	// stopping.
	short := d.now().Add(d.cfg.Timeout + d.cfg.ClockSkew).After(del.LeaseUntil)
	if short || ctx.Err() != nil {
		d.giveBack(ctx, del)
		return false
	}

	status, wait, err := d.post(ctx, t, del.Event)
	if status == 0 && ctx.Err() != nil {
		return true // stopped mid-attempt: the lease expires and the event is sent again
	}

	// The endpoint answered: record it even while stopping, so that a
	// delivered event is not sent again after a restart.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), d.cfg.Timeout)
	defer cancel()

	res := d.outcome(del, status, wait, err)
	if err := d.cfg.Store.RecordAttempt(rctx, res); err != nil {
		d.log.ErrorContext(ctx, "webhook: record attempt",
			"event", del.Event.ID, "partner", del.Event.PartnerID, "error", err)
	}

	return true
}

// giveBack releases a claim that was not started, when the store is a
// [ClaimReleaser]: the event is due again at once and the claim's attempt
// is not counted. Otherwise, or if the release fails, the lease expires.
func (d *Dispatcher) giveBack(ctx context.Context, del session.Delivery) {
	rel, ok := d.cfg.Store.(ClaimReleaser)
	if !ok {
		return
	}

	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), d.cfg.Timeout)
	defer cancel()

	err := rel.ReleaseClaim(rctx, del.Event.ID, del.LeaseOwner, del.LeaseUntil)
	if err != nil {
		d.log.ErrorContext(ctx, "webhook: give back claim",
			"event", del.Event.ID, "partner", del.Event.PartnerID, "error", err)
	}
}

// outcome turns an attempt into the result to store.
func (d *Dispatcher) outcome(
	del session.Delivery, status int, wait time.Duration, err error,
) session.AttemptResult {
	now := d.now()
	res := session.AttemptResult{EventID: del.Event.ID, Owner: del.LeaseOwner, At: now,
		Status: status}
	if err == nil {
		res.Delivered = true
		return res
	}

	res.Error = err.Error()
	tooOld := now.Sub(del.Event.OccurredAt) >= d.cfg.MaxAge
	if del.Attempts >= d.cfg.MaxAttempts || tooOld {
		res.Dead = true
		d.log.Warn("webhook: event parked as dead", "event", del.Event.ID,
			"partner", del.Event.PartnerID, "attempts", del.Attempts, "status", status)
		return res
	}

	wait = max(wait, backoff(d.cfg.BackoffBase, d.cfg.BackoffMax, del.Attempts))
	res.NextAttemptAt = now.Add(min(wait, d.cfg.BackoffMax))
	d.log.Info("webhook: attempt failed", "event", del.Event.ID,
		"partner", del.Event.PartnerID, "attempt", del.Attempts, "status", status,
		"error", err)

	return res
}

// errStatus is a response outside 2xx.
var errStatus = errors.New("webhook: endpoint answered")

// post sends the event once, signed as of now. It returns the status (0
// without a response), a Retry-After wait and nil for a 2xx answer.
func (d *Dispatcher) post(
	ctx context.Context, t *target, e session.OutboxEvent,
) (int, time.Duration, error) {
	at := d.cfg.Now()
	sig, err := t.sign(e.ID, at, e.Payload)
	if err != nil {
		return 0, 0, err
	}

	ctx, cancel := context.WithTimeout(ctx, d.cfg.Timeout)
	defer cancel()

	req, err := newRequest(ctx, t.url, e, at, sig)
	if err != nil {
		return 0, 0, err
	}

	resp, err := d.cfg.Client.Do(req)
	if err != nil {
		return 0, 0, fmt.Errorf("webhook: post: %w", scrubURL(err))
	}
	defer func() { _ = resp.Body.Close() }()

	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, retryAfter(resp, d.now(), d.cfg.BackoffMax),
			fmt.Errorf("%w %d", errStatus, resp.StatusCode)
	}

	return resp.StatusCode, 0, nil
}

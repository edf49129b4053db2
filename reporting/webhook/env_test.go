package webhook_test

import (
	"bytes"
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/launch"
	"github.com/virtualaipatient/integration/partner"
	"github.com/virtualaipatient/integration/reporting"
	"github.com/virtualaipatient/integration/reporting/webhook"
	"github.com/virtualaipatient/integration/scoring"
	"github.com/virtualaipatient/integration/session"
	"github.com/virtualaipatient/integration/store/memory"
)

// Fixed secrets of the tests: 32 bytes each, base64.
const (
	secretOld = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw7ZhdnL1qcoM="
	secretNew = "whsec_Y2hhbmdlZC1zZWNyZXQtZm9yLXJvdGF0aW9uLXRlc3Q="
)

// fakeClock is a settable clock.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()

	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()

	c.now = c.now.Add(d)
}

// mode is how the capture receiver answers.
type mode int

const (
	answerOK   mode = iota
	answer500       // a server error
	answerHang      // no answer until the client gives up
	answerDown      // the connection is dropped, as with a host down
	answerBusy      // 503 with the receiver's Retry-After value
)

// attempt is one request the receiver saw.
type attempt struct {
	id        string
	timestamp string
	body      []byte
	verifyErr error
	accepted  bool
	event     *partner.WebhookEvent
}

// receiver records every attempt and verifies each with the partner
// verifier on the test clock.
type receiver struct {
	t        *testing.T
	srv      *httptest.Server
	verifier *partner.WebhookVerifier

	mu       sync.Mutex
	mode     mode
	attempts []attempt
	inFlight map[string]int
	overlaps int
	delay    time.Duration
	// retryAfter is the Retry-After header of answerBusy.
	retryAfter string
	// onRequest, when set, runs at the start of every request.
	onRequest func()
}

func newReceiver(t *testing.T, now func() time.Time, secrets ...string) *receiver {
	t.Helper()
	v, err := partner.NewWebhookVerifier(partner.WebhookConfig{Secrets: secrets, Now: now})
	require.NoError(t, err)
	r := &receiver{t: t, verifier: v, inFlight: map[string]int{}}
	r.srv = httptest.NewUnstartedServer(http.HandlerFunc(r.serve))
	r.srv.Config.ErrorLog = log.New(io.Discard, "", 0) // dropped connections
	r.srv.StartTLS()
	t.Cleanup(r.srv.Close)

	return r
}

func (r *receiver) setMode(m mode) {
	r.mu.Lock()
	defer r.mu.Unlock()

	r.mode = m
}

func (r *receiver) setRetryAfter(v string) {
	r.mu.Lock()
	defer r.mu.Unlock()

	r.retryAfter = v
}

func (r *receiver) setOnRequest(fn func()) {
	r.mu.Lock()
	defer r.mu.Unlock()

	r.onRequest = fn
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	id := req.Header.Get(partner.WebhookIDHeader)
	a := attempt{id: id, timestamp: req.Header.Get(partner.WebhookTimestampHeader),
		body: body, verifyErr: r.verifier.Verify(req.Header, body)}
	if a.verifyErr == nil {
		a.event, a.verifyErr = partner.DecodeWebhook(id, body)
	}

	r.mu.Lock()
	m, delay, hook := r.mode, r.delay, r.onRequest
	r.inFlight[id]++
	if r.inFlight[id] > 1 {
		r.overlaps++
	}
	r.mu.Unlock()
	defer func() { r.mu.Lock(); r.inFlight[id]--; r.mu.Unlock() }()

	if hook != nil {
		hook()
	}

	if delay > 0 {
		time.Sleep(delay)
	}

	// Record the attempt before answering: once the dispatcher has its
	// answer, the test may read the attempts.
	a.accepted = m == answerOK
	r.mu.Lock()
	r.attempts = append(r.attempts, a)
	r.mu.Unlock()

	switch m {
	case answer500:
		w.WriteHeader(http.StatusInternalServerError)
	case answerBusy:
		r.mu.Lock()
		w.Header().Set("Retry-After", r.retryAfter)
		r.mu.Unlock()
		w.WriteHeader(http.StatusServiceUnavailable)
	case answerHang:
		<-req.Context().Done()
	case answerDown:
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			_ = conn.Close()
		}
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

func (r *receiver) snapshot() []attempt {
	r.mu.Lock()
	defer r.mu.Unlock()

	return append([]attempt(nil), r.attempts...)
}

// accepted returns the accepted events in arrival order.
func (r *receiver) accepted() []*partner.WebhookEvent {
	var out []*partner.WebhookEvent
	for _, a := range r.snapshot() {
		if a.accepted {
			out = append(out, a.event)
		}
	}

	return out
}

// world is a VAP host: a service writing full-summary events to a store.
type world struct {
	t     *testing.T
	st    session.Store
	svc   *session.Service
	clock *fakeClock
}

func newWorld(t *testing.T, st session.Store, clock *fakeClock) *world {
	t.Helper()
	ctx := context.Background()
	svc := session.New(st)
	svc.Now, svc.Events = clock.Now, reporting.WebhookEncoder{}
	_, err := svc.PutCase(ctx, session.Case{ID: "acs-chest-pain", Title: "Chest pain"})
	require.NoError(t, err)
	_, err = svc.PublishCaseVersion(ctx, session.CaseVersion{CaseID: "acs-chest-pain",
		Major: 1, Title: "Chest pain 1.0", Rubric: rubric()})
	require.NoError(t, err)
	_, err = svc.PutCohort(ctx, session.Cohort{PartnerID: "partner-a", ID: "cohort-1"})
	require.NoError(t, err)

	return &world{t: t, st: st, svc: svc, clock: clock}
}

func rubric() scoring.Rubric {
	return scoring.Rubric{
		Domains: []scoring.Domain{
			{Code: "history_taking", MaxPoints: 20, Weight: 30},
			{Code: "communication", MaxPoints: 12, Weight: 10},
		},
		Threshold: 0.7,
	}
}

func input(ht float64) *scoring.Input {
	return &scoring.Input{Points: map[string]float64{"history_taking": ht, "communication": 9}}
}

// session runs one learner's session through start, completion and a
// regrade: events started, completed, scored, scored.
func (w *world) session(sub string) string {
	w.t.Helper()
	ctx := context.Background()
	res, err := w.svc.Launch(ctx, launch.Launch{PartnerID: "partner-a",
		Issuer: "https://lms.example", TokenID: uuid.NewString(),
		ExpiresAt: w.clock.Now().Add(time.Hour), Subject: sub, CohortID: "cohort-1",
		CaseID: "acs-chest-pain"})
	require.NoError(w.t, err)
	id := res.Session.ID
	_, err = w.svc.Start(ctx, "partner-a", id)
	require.NoError(w.t, err)
	_, err = w.svc.Complete(ctx, "partner-a", id, session.Completion{Input: input(16)})
	require.NoError(w.t, err)
	_, err = w.svc.Regrade(ctx, "partner-a", id, session.Completion{Input: input(18)})
	require.NoError(w.t, err)

	return id
}

func newDispatcher(t *testing.T, st webhook.DeliveryStore, r *receiver, clock *fakeClock,
	edit func(*webhook.Config)) *webhook.Dispatcher {
	t.Helper()
	cfg := webhook.Config{
		Store: st,
		Endpoints: webhook.StaticEndpoints{{PartnerID: "partner-a", URL: r.srv.URL,
			Secrets: []string{secretOld}}},
		Client:      r.srv.Client(),
		Now:         clock.Now,
		Timeout:     2 * time.Second,
		BackoffBase: time.Second,
		BackoffMax:  5 * time.Minute,
	}
	if edit != nil {
		edit(&cfg)
	}

	d, err := webhook.New(cfg)
	require.NoError(t, err)

	return d
}

func newMemory() *memory.Store { return memory.New() }

// sameBytes reports whether every attempt of each event carried the same
// body.
func sameBytes(list []attempt) map[string]bool {
	first := map[string][]byte{}
	same := map[string]bool{}
	for _, a := range list {
		if b, ok := first[a.id]; ok {
			same[a.id] = same[a.id] && bytes.Equal(b, a.body)
			continue
		}

		first[a.id], same[a.id] = a.body, true
	}

	return same
}

func unix(ts string) int64 {
	n, _ := strconv.ParseInt(ts, 10, 64)
	return n
}

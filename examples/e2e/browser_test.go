package e2e

import (
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/examples/internal/demo"
	"github.com/virtualaipatient/integration/examples/internal/partnerapp"
	"github.com/virtualaipatient/integration/examples/internal/vapserver"
	"github.com/virtualaipatient/integration/internal/testenv"
	"github.com/virtualaipatient/integration/reporting/webhook"
	"github.com/virtualaipatient/integration/session"
	"github.com/virtualaipatient/integration/store/sqlite"
)

// servers is the partner app and the VAP backend, running on loopback.
type servers struct {
	app    *partnerapp.App
	vap    *vapserver.Server
	appURL string
	vapURL string
}

func startServers(t *testing.T) servers {
	t.Helper()
	ctx := context.Background()

	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "vap.db"), sqlite.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })

	vapLn, appLn := listen(t), listen(t)
	s := servers{vapURL: "http://" + vapLn.Addr().String(),
		appURL: "http://" + appLn.Addr().String()}
	secret, err := webhook.NewSecret()
	require.NoError(t, err)

	s.app, err = partnerapp.New(partnerapp.Config{
		PublicURL: s.appURL, VAPURL: s.vapURL, WebhookSecret: secret,
	})
	require.NoError(t, err)
	serve(t, appLn, s.app.Handler())

	s.vap, err = vapserver.New(ctx, vapserver.Config{
		Store: st, PublicURL: s.vapURL,
		Partners: []vapserver.Partner{{
			ID: demo.PartnerID, Issuer: s.app.Issuer(), JWKSURL: s.app.JWKSURL(),
			WebhookURL: s.app.WebhookURL(), WebhookSecret: secret,
			Cohorts: []session.Cohort{{ID: demo.CohortID, Name: demo.CohortName}},
		}},
		WebhookPollInterval: 50 * time.Millisecond, InsecureAllowHTTPWebhooks: true,
	})
	require.NoError(t, err)
	t.Cleanup(s.vap.Close)
	serve(t, vapLn, s.vap.Handler())

	loops, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); s.vap.Run(loops) }()
	t.Cleanup(func() { stop(); <-done })

	return s
}

func listen(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)

	return ln
}

func serve(t *testing.T, ln net.Listener, h http.Handler) {
	t.Helper()
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
}

// browser starts headless Chromium, or skips when it is not installed
// (fails when testenv.Required: VAP_TEST_REQUIRE or CI is set), and returns
// a context bounded in time.
func browser(t *testing.T) context.Context {
	t.Helper()
	path := testenv.LookPath(t, "chromium")

	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.WindowSize(1200, 900),
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)

	ctx, cancelCtx := chromedp.NewContext(alloc)
	t.Cleanup(cancelCtx)

	// The first run starts the browser; it must not carry the timeout.
	require.NoError(t, chromedp.Do(ctx), "start chromium")

	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(cancelTimeout)

	return ctx
}

// artifacts returns the directory screenshots go to: $VAP_ARTIFACTS_DIR,
// else examples/testdata/artifacts.
func artifacts(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("VAP_ARTIFACTS_DIR")
	if dir == "" {
		dir = filepath.Join("..", "testdata", "artifacts")
	}

	require.NoError(t, os.MkdirAll(dir, 0o755))

	return dir
}

// screenshot saves a full-page PNG of the current page.
func screenshot(dir, name string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		buf, err := chromedp.FullScreenshot(100)(ctx, tg)
		if err != nil {
			return chromedp.Void{}, err
		}

		return chromedp.Void{}, os.WriteFile(filepath.Join(dir, name), buf, 0o644)
	}
}

// overflowScript lists the elements that stick out of their card
// horizontally, such as a table wider than the card around it.
const overflowScript = `(() => {
  const out = [];
  for (const card of document.querySelectorAll('.card')) {
    const c = card.getBoundingClientRect();
    for (const el of card.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.width > 0 && (r.right > c.right + 0.5 || r.left < c.left - 0.5)) {
        out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : ''));
      }
    }
  }
  return out;
})()`

// assertFits checks that nothing on the page sticks out of its card.
func assertFits(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	out, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](overflowScript))
	require.NoError(t, err, page)
	assert.Empty(t, out, "%s: elements overflow their card", page)
}

// text returns the text of the first element matching a CSS selector.
func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	require.NoError(t, err, sel)

	return strings.TrimSpace(v)
}

func TestBrowserLaunchToGradebook(t *testing.T) {
	ctx := browser(t)
	s := startServers(t)
	dir := artifacts(t)
	first, second := demo.Cases()[0].Case.ID, demo.Cases()[1].Case.ID

	// The partner's course page lists the assigned cases.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(s.appURL+"/"),
		chromedp.WaitVisible(chromedp.ID("launch-"+first)),
		screenshot(dir, "1-partner-course.png"),
	))
	assertFits(t, ctx, "course page")

	// Launch: the form posts the token to VAP, which redirects to the
	// learner page; the page redeems the code and shows the case.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.ID("launch-"+first)),
		chromedp.WaitVisible(chromedp.CSS(`body[data-session-status="created"]`)),
		chromedp.WaitVisible(chromedp.ID("case-title")),
		screenshot(dir, "2-learner-case.png"),
	))
	assertFits(t, ctx, "learner page")
	href, err := chromedp.Run(ctx, chromedp.Location())
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(href, s.vapURL+vapserver.LearnerAppPath), href)
	assert.NotContains(t, href, "code=", "the code is removed from the address bar")
	assert.NotContains(t, href, "launch_token")

	attr, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS("body"),
		"data-session-id"))
	require.NoError(t, err)
	sessionID := attr.Value
	require.NotEmpty(t, sessionID)
	signedInAs := text(t, ctx, "#learner")
	require.NotEmpty(t, signedInAs, "the learner page says whose session it is")

	// The learner starts and finishes the case with the scripted result.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.ID("start")),
		chromedp.WaitVisible(chromedp.CSS(`body[data-session-status="in_progress"]`)),
		chromedp.WaitEnabled(chromedp.ID("complete")),
		chromedp.Click(chromedp.ID("complete")),
		chromedp.WaitVisible(chromedp.CSS(`body[data-session-status="completed"]`)),
		chromedp.WaitVisible(chromedp.ID("score")),
		screenshot(dir, "3-learner-result.png"),
	))
	assertFits(t, ctx, "learner result")
	assert.Equal(t, "76.75%", text(t, ctx, "#score"))
	assert.Equal(t, "passed", text(t, ctx, "#outcome"))

	// The partner receives the scored session by webhook.
	entry, err := s.app.Gradebook().Wait(ctx, sessionID, func(e partnerapp.Entry) bool {
		return e.Source == partnerapp.SourceWebhook && e.Summary.Score != nil
	})
	require.NoError(t, err, "no scored webhook for the session")
	assert.Equal(t, entry.Summary.PartnerUserID, signedInAs)

	// The gradebook shows the score.
	row := `tr[data-session="` + sessionID + `"] .score-cell`
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(s.appURL+partnerapp.GradebookPath),
		chromedp.WaitVisible(chromedp.CSS(row)),
		screenshot(dir, "4-partner-gradebook.png"),
	))
	assertFits(t, ctx, "gradebook")
	assert.Equal(t, "76.75%", text(t, ctx, row))

	// The course page shows the result and unlocks the next case.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(s.appURL+"/"),
		chromedp.WaitVisible(chromedp.CSS("#case-"+first+" .pill")),
		chromedp.WaitEnabled(chromedp.ID("launch-"+second)),
		screenshot(dir, "5-partner-course-after.png"),
	))
	assertFits(t, ctx, "course page after")
	assert.Equal(t, "76.75%", text(t, ctx, "#case-"+first+" .pill"))
}

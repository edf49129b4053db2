package session_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/session"
	"github.com/virtualaipatient/integration/store/memory"
)

// listHook runs after, once, when the store has listed idle sessions.
type listHook struct {
	session.Store
	after func()
}

func (h *listHook) ListIdleSessions(ctx context.Context, q session.IdleQuery) ([]session.Session, error) {
	list, err := h.Store.ListIdleSessions(ctx, q)
	if f := h.after; f != nil {
		h.after = nil
		f()
	}

	return list, err
}

// TestSweepSkipsVanishedSessions checks that a session that disappears
// between the sweep's listing and its update (its learner erased) is
// skipped, and the other idle sessions are still swept.
func TestSweepSkipsVanishedSessions(t *testing.T) {
	ctx := context.Background()
	st := memory.New()
	svc := newService(t, st)
	now := t0
	svc.Now = func() time.Time { return now }
	var ids []string
	for _, sub := range []string{"user-1", "user-2"} {
		res, err := svc.Launch(ctx, learnerLaunch(sub))
		require.NoError(t, err)
		_, err = svc.Start(ctx, "partner-a", res.Session.ID)
		require.NoError(t, err)
		ids = append(ids, res.Session.ID)
	}

	now = now.Add(2 * time.Hour)
	sweeping := *svc
	sweeping.Store = &listHook{Store: st, after: func() {
		_, err := svc.DeleteLearner(ctx, "partner-a", "user-1")
		require.NoError(t, err)
	}}
	res, err := sweeping.Sweep(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, res.Abandoned)

	other, err := st.GetSession(ctx, "partner-a", ids[1])
	require.NoError(t, err)
	assert.Equal(t, session.StatusAbandoned, other.Status)
}

// panicEncoder panics while a session change is being written.
type panicEncoder struct{}

func (panicEncoder) EncodeEvent(context.Context, session.Tx, session.EventContent) ([]byte, error) {
	panic("encoder failed")
}

// TestMemoryPanicRollsBack checks that a panic inside a memory store
// transaction undoes what it wrote, as an error would.
func TestMemoryPanicRollsBack(t *testing.T) {
	ctx := context.Background()
	st := memory.New()
	svc := newService(t, st)
	res, err := svc.Launch(ctx, learnerLaunch("user-1"))
	require.NoError(t, err)

	svc.Events = panicEncoder{}
	assert.Panics(t, func() { _, _ = svc.Start(ctx, "partner-a", res.Session.ID) })

	got, err := st.GetSession(ctx, "partner-a", res.Session.ID)
	require.NoError(t, err)
	assert.Equal(t, session.StatusCreated, got.Status, "the panicking change was kept")
	assert.Equal(t, res.Session.Revision, got.Revision)

	svc.Events = nil
	_, err = svc.Start(ctx, "partner-a", res.Session.ID)
	assert.NoError(t, err, "the store is usable after the panic")
}

package partner_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/partner"
	"github.com/virtualaipatient/integration/reporting"
)

func TestDeleteLearner(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	done, err := e.client.Launch(ctx, learner("learner-001"))
	require.NoError(t, err)
	e.complete(done.SessionID)
	open, err := e.client.Launch(ctx, learner("learner-001"))
	require.NoError(t, err)
	kept, err := e.client.Launch(ctx, learner("learner-002"))
	require.NoError(t, err)

	tests := []struct {
		name     string
		sub      string
		counts   reporting.DeletionCounts
		sessions []string
	}{
		{name: "deletes the learner and both sessions", sub: "learner-001",
			// Three events of the completed session (started, completed,
			// scored). The handler's MemoryCodes forgets the sessions'
			// launch codes after the transaction, uncounted, so that the
			// receipt equals the learner.deleted event's.
			counts: reporting.DeletionCounts{Learners: 1, SessionsDeleted: 2,
				OutboxEvents: 3},
			sessions: []string{done.SessionID, open.SessionID}},
		{name: "deleting again gives zero counts", sub: "learner-001"},
		{name: "a learner VAP never saw gives zero counts", sub: "learner-404"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := e.client.DeleteLearner(ctx, tt.sub)
			require.NoError(t, err)
			assert.NotEmpty(t, r.DeletionID)
			assert.Equal(t, partnerID, r.PartnerID)
			assert.Equal(t, tt.sub, r.PartnerUserID)
			assert.Equal(t, tt.counts, r.Counts)
			assert.ElementsMatch(t, tt.sessions, r.SessionIDs)
			assert.NotNil(t, r.SessionIDs, "an empty list, not null")
			require.NotNil(t, r.DeletedAt)
			assert.Equal(t, e.clock.Now(), r.DeletedAt.Time)
		})
	}

	for _, id := range []string{done.SessionID, open.SessionID} {
		_, err = e.client.Summary(ctx, id)
		assert.ErrorIs(t, err, partner.ErrNotFound, "deleted session %s", id)
	}

	sum, err := e.client.Summary(ctx, kept.SessionID)
	require.NoError(t, err, "another learner's session stays")
	assert.Equal(t, "learner-002", sum.PartnerUserID)
}

func TestDeleteLearnerRefusals(t *testing.T) {
	tests := []struct {
		name     string
		sub      string
		want     error
		wantHits int
	}{
		{name: "empty id is not sent", sub: "", want: partner.ErrInvalidID},
		{name: "dot-dot is not sent", sub: "..", want: partner.ErrInvalidID},
		{name: "too long for VAP", sub: strings.Repeat("x", 300), want: partner.ErrBadRequest,
			wantHits: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			_, err := e.client.DeleteLearner(context.Background(), tt.sub)
			require.ErrorIs(t, err, tt.want)
			assert.Equal(t, tt.wantHits, e.faults.count("DELETE /learners/"+tt.sub))
		})
	}
}

func TestDeleteLearnerRetried(t *testing.T) {
	e := newEnv(t)
	e.faults.add(unavailable("1"))

	r, err := e.client.DeleteLearner(context.Background(), "learner-001")
	require.NoError(t, err)
	assert.Equal(t, "learner-001", r.PartnerUserID)
	assert.Equal(t, 2, e.faults.count("DELETE /learners/learner-001"))
	assert.Equal(t, []time.Duration{time.Second}, *e.sleeps)
}

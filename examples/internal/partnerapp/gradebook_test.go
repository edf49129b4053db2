package partnerapp

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/reporting"
)

func summary(sessionID, learner string, revision int64) reporting.SessionSummary {
	return reporting.SessionSummary{SessionID: sessionID, PartnerUserID: learner, Revision: revision}
}

func TestGradebookForget(t *testing.T) {
	g := NewGradebook()
	g.AddEvent("evt-1", "session.started", summary("s-1", "learner-0002", 1))
	g.AddSummary(summary("s-2", "learner-0002", 2))
	g.AddSummary(summary("s-3", "learner-0003", 1))

	// s-2 is not in the receipt (a session the receipt does not list) but
	// belongs to the deleted learner, so it goes too.
	dropped := g.Forget(reporting.DeletionReceipt{
		DeletionID: "del-1", PartnerUserID: "learner-0002", SessionIDs: []string{"s-1"},
	})
	assert.Equal(t, 2, dropped)

	// A late webhook or API read of a forgotten session is ignored.
	assert.False(t, g.AddEvent("evt-2", "session.completed", summary("s-1", "learner-0002", 3)))
	g.AddSummary(summary("s-2", "learner-0002", 3))

	entries := g.Entries()
	require.Len(t, entries, 1)
	assert.Equal(t, "s-3", entries[0].Summary.SessionID)

	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	r, err := g.WaitDeletion(ctx, "del-1")
	require.NoError(t, err)
	assert.Equal(t, "learner-0002", r.PartnerUserID)
}

func TestGradebookWaitDeletionTimesOut(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()

	_, err := NewGradebook().WaitDeletion(ctx, "del-unknown")
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestRowOfSafetyCode(t *testing.T) {
	tests := []struct {
		name   string
		errors []reporting.FlaggedError
		want   string
	}{
		{name: "no error"},
		{name: "not a safety error", errors: []reporting.FlaggedError{{Code: "COM.JARGON"}}},
		{name: "first safety error", want: "MGT.DELAYED_ANTIPLATELET", errors: []reporting.FlaggedError{
			{Code: "COM.JARGON"}, {Code: "MGT.DELAYED_ANTIPLATELET", PatientSafety: true},
			{Code: "MED.WRONG_DOSE", PatientSafety: true},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := summary("s-1", "learner-0001", 1)
			s.FlaggedErrors = tt.errors

			assert.Equal(t, tt.want, rowOf(Entry{Summary: s}).SafetyCode)
		})
	}
}

func TestAllHidden(t *testing.T) {
	tests := []struct {
		name  string
		facts []Fact
		want  bool
	}{
		{name: "no facts"},
		{name: "all hidden", facts: []Fact{{"a", hidden}, {"b", hidden}}, want: true},
		{name: "one shown", facts: []Fact{{"a", hidden}, {"b", "5"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, allHidden(tt.facts))
		})
	}
}

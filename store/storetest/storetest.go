package storetest

import (
	"testing"
	"time"

	"github.com/virtualaipatient/integration/session"
)

// Opener returns a new, empty store for one test. It registers any cleanup
// with t.Cleanup.
type Opener func(t *testing.T) session.Store

// Run runs the whole conformance suite against stores made by open. Every
// subtest opens its own store.
func Run(t *testing.T, open Opener) {
	t.Helper()

	groups := []struct {
		name string
		run  func(t *testing.T, open Opener)
	}{
		{name: "Catalog", run: testCatalog},
		{name: "Cohorts", run: testCohorts},
		{name: "Assignments", run: testAssignments},
		{name: "Learners", run: testLearners},
		{name: "Tokens", run: testTokens},
		{name: "Sessions", run: testSessions},
		{name: "IdleSessions", run: testIdleSessions},
		{name: "Transactions", run: testTransactions},
		{name: "Service", run: testService},
		{name: "Races", run: testRaces},
		{name: "Faults", run: testFaults},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) { g.run(t, open) })
	}
}

// base is the fixed time the suite's fixtures start from: UTC, whole
// milliseconds, no monotonic reading.
var base = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func at(minutes int) time.Time {
	return base.Add(time.Duration(minutes) * time.Minute)
}

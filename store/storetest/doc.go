// Package storetest is the conformance suite every session store adapter
// runs, so that all adapters share one set of semantics.
//
// An adapter's test calls [Run] with a function opening a new, empty store:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) session.Store {
//			return memory.New()
//		})
//	}
//
// The suite covers every store operation, not-found behaviour, ordering,
// partner scoping, copying, the revision compare-and-swap, transaction
// rollback, the launch replay race between two services sharing the store,
// and launches through a store that fails part-way ([FaultStore]).
//
// Stores that also serve the reporting API run [RunReporting]: changed
// sessions, catalog lists, and cohort analytics over [AnalyticsDataset],
// which must equal analytics.Compute for every query of [AnalyticsCases].
package storetest

// Package vapserver is the VAP backend of the examples: the partner-facing
// reporting API of package reporting, a minimal learner page standing in for
// the Flutter learner app, and the background loops (webhook dispatcher, and
// session sweep and retention purge).
//
// Start from New with a Config naming the store, the public URL and the
// partners; it registers the demo catalog and the partners' cohorts, and
// returns a Server whose Handler serves everything and whose Run drives
// the loops. The commands examples/vap and examples/quickstart are thin
// mains over it.
package vapserver

// Package session turns verified launches into sessions and runs their
// lifecycle: the case catalog, cohorts and assignments, the mapping of a
// partner's users to pseudonymous learners, and the session state machine
// with scoring at completion.
//
// Start from [Service], built with [New] on a [Store]. The VAP backend
// registers the catalog ([Service.PutCase], [Service.PublishCaseVersion],
// [Service.PutCaseSet]); partners (or the backend for them) register
// cohorts and assignments ([Service.PutCohort], [Service.PutAssignment]).
// [Service.Launch] takes a launch verified by package launch and, in one
// transaction, consumes its token, maps the user to a learner, resolves the
// assignment and case version and creates the session. [Service.Start],
// [Service.Suspend], [Service.Resume], [Service.Complete],
// [Service.Abandon], [Service.Void], [Service.Expire] and [Service.Regrade]
// move a session through the states of [Next]. [Service.Sweep] abandons
// idle sessions and voids unused ones.
//
// Storage is pluggable: [Store] composes small interfaces with exact
// not-found semantics, and every adapter runs the conformance suite in
// store/storetest. Package store/memory is the in-memory adapter.
package session

// Package reporting is the partner-facing HTTP API of the VAP backend: an
// [http.Handler] that launches sessions, lists and assigns cases, reports
// session summaries and cohort analytics, and serves its own OpenAPI 3.1
// document.
//
// Start from [New] with a [Config]. The handler uses the standard library's
// routing only and mounts every endpoint under Config.BasePath (default
// DefaultBasePath). Partners authenticate each reporting call with a
// bearer API credential verified by package launch; the partner is taken
// from that credential only, and every lookup is scoped to it, so a record
// of another partner is indistinguishable from one that does not exist.
//
// A launch comes in two ways, both without third-party cookies: server to
// server (JSON, answered with a launch URL) or from the learner's browser
// (a form post, answered with a 303 redirect, and taken only from the
// partner's registered form origins, launch.Partner.FormOrigins). Both are
// rate limited per partner and per learner, and hand the learner app a
// one-time code ([CodeStore]) that it redeems once for a session bearer
// token; [Handler.RequireSession] verifies that token on the learner app's
// own endpoints.
//
// The wire types ([SessionSummary], [SessionPage], [Problem] and the others)
// are the contract partners decode: snake_case JSON, times in RFC 3339 UTC
// with milliseconds, no NaN or infinity anywhere. [NewSessionSummary] builds
// a summary from a session as a pure function.
//
// Cohort analytics are defined and computed by package
// reporting/analytics; the handler asks an [AnalyticsSource] for them.
package reporting

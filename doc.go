// Package integration is the Go SDK that connects partner platforms (CME
// portals, hospital learning systems, medical schools) to Virtual AI Patient
// (VAP), where learners work through clinical cases with an AI-simulated
// patient.
//
// The flow, in five steps:
//
//  1. Launch. The partner backend mints a short-lived signed launch token
//     (partner.Ring, built on launch.Minter) and sends the learner to VAP, by
//     deep link or inside a web view. Or the partner is an OpenID Connect
//     identity provider and VAP signs the learner in (package launch/oidc).
//  2. Verify and start. The VAP backend verifies the token (launch.Verifier),
//     maps the partner's user to a pseudonymous learner without any sign-up,
//     resolves the assigned case and creates a case session (package session).
//     A token works once.
//  3. Play and score. The session moves through its states; when it ends VAP
//     evaluates the rubric exactly (package scoring): total score, sub-scores
//     and flagged errors, patient-safety errors above all.
//  4. Report. The partner reads assigned cases, session summaries and cohort
//     analytics over HTTP (package reporting) and is told of finished sessions
//     by signed webhooks.
//  5. Privacy. Cases carry no patient identifiers, learners only the
//     identifiers reporting needs.
//
// Where to start: a partner backend imports package partner (a key ring, launch
// links, a reporting client and a webhook verifier), which builds on launch.
// The VAP backend imports launch (and launch/oidc for single sign-on), session,
// scoring, reporting (the partner-facing HTTP API; reporting/webhook delivers
// events) and a storage adapter: store/sqlite (the embedded default),
// store/postgres or store/memory. The runnable tour is examples/quickstart;
// cmd/vapctl helps integrators in any language.
//
// This root package holds no code; it documents the module.
package integration

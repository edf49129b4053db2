// Package partner is the partner side of a Virtual AI Patient (VAP)
// integration: what a partner platform's Go backend imports to launch its
// learners into VAP and to read their results back.
//
// Start from a [Ring], the partner's signing keys: load a key with
// [LoadKeyPEM] (or make one with [GenerateKey]), build the ring with
// [NewRing] and serve [Ring.JWKSHandler] at the JWK Set URL registered with
// VAP. The ring signs with its current key and keeps previous public keys
// published for an overlap period, so a rotation ([Ring.Stage],
// [Ring.Promote], [Ring.Rotate]) never breaks a launch or an API call in
// flight.
//
// Then build a [Client] with [NewClient]. A learner is launched either
//
//   - server to server with [Client.Launch], which calls VAP's POST /launch
//     and returns the launch URL to open in a browser or a web view; or
//   - from the learner's browser with [Client.WriteLaunchForm] or
//     [Client.LaunchFormHandler], which render a page that posts the launch
//     token to VAP as a form, under a restrictive Content-Security-Policy,
//     so the token never appears in a URL. LaunchFormHandler answers only
//     a same-origin POST, so that no other site can launch a signed-in
//     learner.
//
// The same Client reads the reporting API with typed methods that decode
// the wire types of package reporting: [Client.Cases], [Client.Summary],
// [Client.Sessions] (an iterator over every changed session summary,
// across pages), [Client.SessionPages] (the same listing page by page, with
// the cursor to keep for the next poll), [Client.Analytics],
// [Client.DeleteLearner] and the assignment calls. Calls authenticate with a
// short-lived API credential signed by the ring ([NewTokenSource]), reused
// until shortly before it expires. Idempotent calls are retried with
// backoff on 429, 502, 503, 504 and network errors, honouring Retry-After;
// a launch is never retried once it may have reached VAP, since its token
// is single use.
//
// Failures reported by VAP are [*APIError] values carrying the HTTP status
// and the problem code; they match the sentinel errors of errors.go with
// errors.Is. No error carries a token, a name or a partner user id.
package partner

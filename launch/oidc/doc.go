// Package oidc signs learners in through a partner's OpenID Connect
// identity provider instead of a launch token, and ends in the same
// verified [launch.Launch], so that everything after verification (the
// session, the one-time code, the learner app) is shared with the
// launch-token path.
//
// VAP is the relying party. Each partner is described by a [Config]: its
// issuer (compared byte for byte, never normalised), client id, client
// authentication ([ClientAuth]: a client secret or private_key_jwt), scopes
// and a [Mapping] saying where the role, cohort and optional case or case
// set come from.
//
// Start from [NewHandler]. Its [Handler.Login] (VAP-initiated) and
// [Handler.Initiate] (partner-initiated, like LTI's third-party initiated
// login) start an authorization code flow with PKCE (S256), state and
// nonce; [Handler.Callback] checks the state, exchanges the code, verifies
// the ID token with go-oidc and the nonce, maps the claims and hands the
// launch to [HandlerConfig.Complete]. Package reporting's
// Handler.CompleteLaunch is the Complete that creates the session.
//
// Each flow is kept once and separately, either server side in a
// [FlowStore] ([MemoryFlows]; the SQL stores implement it too) or in a
// sealed cookie ([CookieFlows]). Either way only the browser that started
// a sign-in can end it: with a FlowStore the login also sets a binding
// cookie that the callback requires (see [BinderCookiePrefix]), so that a
// callback URL sent to another browser (login CSRF) fails with
// state_mismatch. The note on [CookiePrefix] says what other hosts of the
// same site can still do. Each partner starts sign-ins at a bounded rate
// ([HandlerConfig.SignInRate]) and [MemoryFlows] keeps a bounded number of
// flows, so that anonymous logins cannot make the flows kept grow without
// bound. Every failure wraps one sentinel of errors.go; [Code] gives its
// stable code, and the learner sees a short page with that code and never
// any token content. Failed sign-ins are logged to [HandlerConfig.Logger]
// with stable codes and keyed hashes only.
package oidc

// Package launch carries a learner from a partner platform into Virtual AI
// Patient (VAP) with a short-lived, single-use signed launch token.
//
// A partner backend mints tokens with a [Minter]; the VAP backend checks them
// with a [Verifier] built from a registry of [Partner] entries. Verification
// is strict by construction: the issuer, audience and accepted algorithms
// must be configured, keys are never taken from the token, and every token
// is consumed once through a [ReplayGuard].
//
// The same keys sign two other kinds of token, each with its own "typ"
// header so that none can stand in for another:
//
//   - API credentials ([Minter.MintAPICredential],
//     [Verifier.VerifyAPICredential]) authenticate a partner's reporting
//     calls;
//   - session tokens ([SessionTokens]) are signed by VAP for its learner
//     app and bound to one session.
//
// Keys are plain crypto types: a [crypto.Signer] to sign (so keys may live in
// a KMS or HSM) and [PublicKey] values to verify. A partner publishes its
// public keys with a [KeySet] served by [NewJWKSHandler]; VAP may fetch them
// from that URL ([Partner.JWKSURL]) instead of holding them statically.
//
// Every failure wraps one sentinel error from errors.go. [Code] gives a
// stable machine-readable code for it and [Hint] a one-line explanation.
// No error ever contains the token or a claim value.
package launch

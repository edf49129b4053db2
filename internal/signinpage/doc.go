// Package signinpage writes the short page a learner sees when a browser
// sign-in fails: a hint and a stable code, nothing else. Package
// launch/oidc shows it for failed sign-ins and package reporting for
// sign-ins that fail after verification, so the learner meets one page.
// Start from [Write].
package signinpage

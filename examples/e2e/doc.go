// Package e2e holds the end-to-end browser test of the examples: headless
// Chromium drives the partner app and the VAP learner page from a Launch
// click to the score on the partner's gradebook. It has no code of its own.
package e2e

// Package logkey turns personal identifiers into keyed hashes for logs, so
// that log lines about one learner can be correlated without the logs ever
// holding the partner user id itself. Start from [New].
package logkey

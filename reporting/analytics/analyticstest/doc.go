// Package analyticstest checks small-cell suppression in cohort analytics
// reports, for the tests of package analytics and of every store.
//
// [Check] reads a report the way a partner would: it writes down every
// linear relation known between the published numbers (partitions adding
// up to their total, nested groups, N's that are the same count, rates
// and means tying a numerator to a denominator) and asserts that no
// suppressed count can be worked out from them and that no small group
// can be bounded below the minimum cell size. It is written apart from
// the suppression pass it checks, with its own solvers.
//
// [Scenarios] are the cohorts of the suppression audit and [Random] makes
// small random cohorts, both as sessions that a store can hold.
package analyticstest

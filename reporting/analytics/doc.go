// Package analytics defines cohort analytics exactly: the [Query] that
// scopes them, the per-session [Fact] they are computed from, the [Report]
// partners receive, and [Compute], the reference computation every store's
// SQL version must agree with.
//
// Scope is one cohort, optionally narrowed to an assignment, a case set or
// a case (and one major version: analytics never mix majors), and a window
// [From, To) on the start time (the creation time for never-started
// sessions). Preview sessions count nowhere; voided sessions count only in
// the sessions by status.
//
// Every number is computed exactly ([math/big.Rat]) and rounded once, half
// away from zero: rates to 4 decimals, percents and seconds to 2. A value
// whose denominator is 0 is null; no value is ever NaN or infinite.
//
// # Small cells
//
// A group of 1 to MinCellSize-1 learners or sessions is never shown, nor
// any statistic over it: such values are null with Suppressed set. Rules,
// in order:
//
//  1. A count in [1, k) is suppressed; 0 is shown.
//  2. A statistic over N values (mean, SD, percentiles, min, max) is
//     suppressed when N is in [1, k).
//  3. Partitions whose total is shown (sessions by status, histogram bins,
//     the attempts distribution): while the suppressed cells add up to a
//     number in [1, k), the smallest shown non-zero cell is suppressed too,
//     so no suppressed cell can be derived by subtraction.
//  4. Nested counts (enrolled ⊇ started ⊇ completed ⊇ passed learners; the
//     sessions considered for errors ⊇ those with an error code): when two
//     shown counts differ by a number in [1, k), the smaller is
//     suppressed.
//  5. A rate num/den is suppressed when num or den is suppressed or
//     small, or when den-num is in [1, k).
//  6. Top error rows whose session count would be suppressed are left
//     out, and TopErrors.RowsSuppressed says so.
//
// NOTE: suppression protects each section against subtraction within it
// and between a rate and its counts. Differences between unrelated
// sections (for example the N of all graded sessions minus the N of
// reporting sessions) are not checked.
package analytics

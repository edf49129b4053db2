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
// A group of 1 to MinCellSize-1 (k-1) learners, sessions or learner-case
// pairs is never shown, and the rest of the report must not give it away:
// not by subtraction, not through a rate or a mean, not as a bound. The
// suppression pass sees a report as counts of groups:
//
//   - the counts it shows: sessions by status, learners, the N of every
//     statistic, the distribution cells, the histogram bins;
//   - links, which only statistics read: terminal sessions (completion and
//     abandonment), passed sessions (pass rate), graded and passed first
//     attempts, started sessions (to which the attempts per learner add
//     up), and the attempts up to a first pass;
//   - remainders, one per nested pair: completed sessions not graded,
//     learners started but not completed, and so on;
//
// and the relations that hold between them by definition:
//
//   - partitions add up to their whole: sessions by status to the total,
//     completed and abandoned sessions to the terminal ones, a
//     distribution to its pairs and, weighted 1 to 4 and at least 5 for
//     "5+", to its attempts, histogram bins to their N;
//   - nested groups: enrolled ⊇ started ⊇ completed ⊇ passed learners;
//     completed ⊇ graded ⊇ passed sessions and graded first attempts ⊇
//     passed first attempts; completed sessions ⊇ learners completed;
//     pairs ⊇ graded pairs ⊇ passed pairs ⊇ learners passed; graded
//     sessions ⊇ graded pairs and each sub-score's N; passed sessions ⊇
//     passed pairs; started sessions ⊇ pairs and attempts to a first
//     pass; an all-graded histogram bin ⊇ the same reporting bin (but
//     under the mean policy);
//   - the same count shown twice: the N of time on task and of errors are
//     the completed sessions; within one case a pair is a learner, so
//     pairs = learners started, passed pairs = learners passed, and
//     graded pairs ⊆ learners completed;
//   - a shown rate or mean ties its numerator to its denominator.
//
// With k the minimum cell size, the rules are:
//
//  1. A count in [1, k) is suppressed (a primary suppression); 0 is shown.
//  2. A statistic is suppressed when a count it reads (its N, numerator or
//     denominator) is; a shown statistic reveals the counts it reads.
//  3. No primary may be bounded below k: the largest value it can take in
//     any solution of the relations that a reader would accept, given what
//     the report reveals, must be at least k. A reader knows every count
//     to be non-negative and every suppressed count to be at least 1, since
//     zero counts are always shown; so a total of 5 over five suppressed
//     cells suppresses the total too. This is an exact linear program. It
//     covers a count worked out exactly, the remainder of a partition
//     whose other cells are shown, and bounds through nested groups.
//  4. While rule 3 fails, one more count or link is suppressed
//     (complementary suppression): the cheapest (any rate or mean before
//     any count, then the smallest count) whose suppression protects that
//     primary, or else the one that loosens its bound most.
//  5. Then each complementary suppression that turns out unnecessary is
//     shown again, latest first (with the rates or means it would bring
//     back left suppressed if they are what exposes), so that no count
//     stays suppressed that the rest of the report gives away.
//  6. The errors relate to the rest through the completed sessions only,
//     and are all suppressed with them. When they are shown, a share of
//     sessions (safety, critical, each code) is suppressed when it or its
//     complement is small; a code is listed only when neither is, and
//     TopErrors.RowsSuppressed says that codes were left out; the errors
//     per session are suppressed when the occurrences of the codes not
//     listed add up to a number in [1, k).
//
// A primary that what every report shows (the roster size and the zero
// counts) already bounds below k cannot be protected from a reader who
// knows that suppressed counts are at least 1; it is then protected as if
// the reader knew only that counts are non-negative, so that it is at
// least not worked out exactly, and left alone only when even that fails.
//
// NOTE: suppression protects one report. A partner who subtracts two
// reports (two windows, or a cohort and one of its cases) is not stopped.
// The order statistics of a small N (min, percentiles, max) place single
// scores, and with them the histogram cells, which the suppression of
// those cells does not undo. Error occurrences are events, not groups: a code's occurrences
// beyond its sessions are shown. Relations that hold only usually (a code
// flagged as a safety error in every session it occurs) are not assumed,
// nor what a maximum tells (that some pair has that many attempts).
package analytics

// Package scoring evaluates a learner's performance on a clinical case
// against the case's rubric, exactly and reproducibly.
//
// Start from [Rubric] (domains with maximum points, integer weights and
// optional hurdles, optional checklist items, the pass threshold and the
// rules for critical errors, hurdles and penalties) and [Input] (the points a
// grader awarded, the domains that do not apply, the flagged errors and the
// mode). [Evaluate] turns them into a [Result]: total and uncapped scaled
// scores, percent, outcome, ordered fail reasons and one [SubScore] per
// domain.
//
// All arithmetic is exact: every float64 that enters the package is read
// through its shortest decimal form (so 0.7 means exactly 7/10) into a
// [math/big.Rat], comparisons are exact, and rounding happens once, at
// output, half away from zero: 4 decimals for scaled scores, 2 for percent.
// A Result also carries its exact final score ([Result].ScaledExact), so that
// values derived from it later, such as an LTI scoreGiven, are rounded once.
// [Exact] and [Round] expose the same conversion and rounding to other
// packages.
//
// Beyond a single evaluation the package picks the attempt that stands for a
// learner ([SelectAttempt]), judges a case set from its cases
// ([EvaluateCaseSet]) and maps a result to the forms partners forward to
// their own systems: an LTI Assignment and Grade Services score
// ([NewAGSScore]) and an xAPI/cmi5 result ([NewXAPIResult]).
//
// The package is pure: it does no I/O, keeps no state and never logs.
package scoring

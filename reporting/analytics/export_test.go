package analytics

import "fmt"

// A linear program that the tests produce and the solver cannot decide
// must not pass unnoticed as a restrictive answer: it fails the test run.
func init() {
	lpFailed = func(p program, err error) {
		panic(fmt.Sprintf("analytics: program %v undecided: %v", p, err))
	}
}

package analytics

import (
	"cmp"
	"math/big"
	"slices"

	"github.com/virtualaipatient/integration/session"
)

// tallyErrors tallies the active errors of completed sessions.
func tallyErrors(in []Fact) ErrorTally {
	var t ErrorTally
	tallies := make(map[string]*CodeTally)
	for _, f := range in {
		if f.Status != session.StatusCompleted {
			continue
		}

		t.Sessions++
		t.Occurrences += int64(len(f.Errors))
		s, cr := tallyFact(tallies, f)
		t.SafetySessions += b2i(s)
		t.CriticalSessions += b2i(cr)
	}

	for _, ct := range tallies {
		t.Codes = append(t.Codes, *ct)
	}

	return t
}

func (c cells) errors(top int, t ErrorTally) Errors {
	n := t.Sessions
	nc := c.count(n)
	e := Errors{Sessions: nc, Top: []TopError{},
		SafetySessionRate:   c.rate(c.count(t.SafetySessions), nc, t.SafetySessions, n),
		CriticalSessionRate: c.rate(c.count(t.CriticalSessions), nc, t.CriticalSessions, n)}
	if n > 0 {
		e.PerSession = c.stat(n, big.NewRat(t.Occurrences, n), rateDecimals)
	}

	e.Top, e.RowsSuppressed = c.topErrors(top, n, nc, t.Codes)

	return e
}

// tallyFact adds f's errors to the tallies and reports whether f has a
// safety and a critical error.
func tallyFact(tallies map[string]*CodeTally, f Fact) (safety, critical bool) {
	seen := make(map[string]bool)
	for _, e := range f.Errors {
		t := tallies[e.Code]
		if t == nil {
			t = &CodeTally{Code: e.Code}
			tallies[e.Code] = t
		}

		t.Occurrences++
		t.Severity = max(t.Severity, e.Severity)
		t.PatientSafety = t.PatientSafety || e.PatientSafety
		if !seen[e.Code] {
			seen[e.Code] = true
			t.Sessions++
		}

		safety = safety || e.PatientSafety
		critical = critical || e.Critical
	}

	return safety, critical
}

func (c cells) topErrors(top int, n int64, nc Count, codes []CodeTally) ([]TopError, bool) {
	list := slices.Clone(codes)
	slices.SortFunc(list, func(a, b CodeTally) int {
		return cmp.Or(cmp.Compare(b.Sessions, a.Sessions), cmp.Compare(b.Severity, a.Severity),
			cmp.Compare(a.Code, b.Code))
	})

	out := []TopError{}
	dropped := false
	for _, t := range list {
		if nc.Suppressed || c.small(t.Sessions) || c.small(n-t.Sessions) {
			dropped = true
			continue
		}

		if len(out) < top {
			out = append(out, TopError{Code: t.Code, Severity: t.Severity,
				PatientSafety: t.PatientSafety, Sessions: c.count(t.Sessions),
				Occurrences: c.count(t.Occurrences),
				Rate:        c.rate(c.count(t.Sessions), nc, t.Sessions, n)})
		}
	}

	return out, dropped
}

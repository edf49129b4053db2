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

// errors reports the error section; sessions is the quantity of the
// completed sessions it is over. The section relates to the rest of the
// report through that count only, so its own rules apply once the count
// is shown: a share of sessions is hidden when it or its complement is
// small, a code is listed when neither its sessions nor the others are
// small, and the errors per session are hidden when the occurrences of
// the codes not listed add up to a small number.
func (c cells) errors(top int, t ErrorTally, sessions qid) Errors {
	n := t.Sessions
	e := Errors{Sessions: c.count(sessions), Top: []TopError{}}
	if n == 0 {
		return e
	}

	if c.m.hidden(sessions) {
		hidden := Number{Suppressed: true}
		e.PerSession, e.SafetySessionRate, e.CriticalSessionRate = hidden, hidden, hidden
		e.RowsSuppressed = len(t.Codes) > 0

		return e
	}

	e.SafetySessionRate = c.share(t.SafetySessions, n)
	e.CriticalSessionRate = c.share(t.CriticalSessions, n)
	var listed int64
	e.Top, listed, e.RowsSuppressed = c.topErrors(top, n, t.Codes)
	e.PerSession = value(big.NewRat(t.Occurrences, n), rateDecimals)
	if c.m.small(t.Occurrences - listed) {
		e.PerSession = Number{Suppressed: true}
	}

	return e
}

// share is part/n of the n completed sessions, suppressed when part or
// n − part is small.
func (c cells) share(part, n int64) Number {
	if c.m.small(part) || c.m.small(n-part) {
		return Number{Suppressed: true}
	}

	return value(big.NewRat(part, n), rateDecimals)
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

// topErrors lists the top codes of n sessions, with the occurrences they
// add up to, and reports whether small codes were left out.
func (c cells) topErrors(top int, n int64, codes []CodeTally) ([]TopError, int64, bool) {
	list := slices.Clone(codes)
	slices.SortFunc(list, func(a, b CodeTally) int {
		return cmp.Or(cmp.Compare(b.Sessions, a.Sessions), cmp.Compare(b.Severity, a.Severity),
			cmp.Compare(a.Code, b.Code))
	})

	out := []TopError{}
	var listed int64
	dropped := false
	for _, t := range list {
		if c.m.small(t.Sessions) || c.m.small(n-t.Sessions) {
			dropped = true
			continue
		}

		if len(out) < top {
			sessions, occurrences := t.Sessions, t.Occurrences
			out = append(out, TopError{Code: t.Code, Severity: t.Severity,
				PatientSafety: t.PatientSafety, Sessions: Count{Value: &sessions},
				Occurrences: Count{Value: &occurrences},
				Rate:        value(big.NewRat(t.Sessions, n), rateDecimals)})
			listed += t.Occurrences
		}
	}

	return out, listed, dropped
}

package analytics

import (
	"cmp"
	"math/big"
	"slices"

	"github.com/virtualaipatient/integration/scoring"
	"github.com/virtualaipatient/integration/session"
)

type codeTally struct {
	code        string
	severity    scoring.Severity
	safety      bool
	sessions    int64
	occurrences int64
}

func (c cells) errors(top int, in []Fact) Errors {
	var n, total, safety, critical int64
	tallies := make(map[string]*codeTally)
	for _, f := range in {
		if f.Status != session.StatusCompleted {
			continue
		}

		n++
		total += int64(len(f.Errors))
		s, cr := tallyFact(tallies, f)
		safety += b2i(s)
		critical += b2i(cr)
	}

	nc := c.count(n)
	e := Errors{Sessions: nc, Top: []TopError{},
		SafetySessionRate:   c.rate(c.count(safety), nc, safety, n),
		CriticalSessionRate: c.rate(c.count(critical), nc, critical, n)}
	if n > 0 {
		e.PerSession = c.stat(n, big.NewRat(total, n), rateDecimals)
	}

	e.Top, e.RowsSuppressed = c.topErrors(top, n, nc, tallies)

	return e
}

// tallyFact adds f's errors to the tallies and reports whether f has a
// safety and a critical error.
func tallyFact(tallies map[string]*codeTally, f Fact) (safety, critical bool) {
	seen := make(map[string]bool)
	for _, e := range f.Errors {
		t := tallies[e.Code]
		if t == nil {
			t = &codeTally{code: e.Code}
			tallies[e.Code] = t
		}

		t.occurrences++
		t.severity = max(t.severity, e.Severity)
		t.safety = t.safety || e.PatientSafety
		if !seen[e.Code] {
			seen[e.Code] = true
			t.sessions++
		}

		safety = safety || e.PatientSafety
		critical = critical || e.Critical
	}

	return safety, critical
}

func (c cells) topErrors(top int, n int64, nc Count, tallies map[string]*codeTally) ([]TopError, bool) {
	list := make([]*codeTally, 0, len(tallies))
	for _, t := range tallies {
		list = append(list, t)
	}

	slices.SortFunc(list, func(a, b *codeTally) int {
		return cmp.Or(cmp.Compare(b.sessions, a.sessions), cmp.Compare(b.severity, a.severity),
			cmp.Compare(a.code, b.code))
	})

	out := []TopError{}
	dropped := false
	for _, t := range list {
		if nc.Suppressed || c.small(t.sessions) || c.small(n-t.sessions) {
			dropped = true
			continue
		}

		if len(out) < top {
			out = append(out, TopError{Code: t.code, Severity: t.severity, PatientSafety: t.safety,
				Sessions: c.count(t.sessions), Occurrences: c.count(t.occurrences),
				Rate: c.rate(c.count(t.sessions), nc, t.sessions, n)})
		}
	}

	return out, dropped
}

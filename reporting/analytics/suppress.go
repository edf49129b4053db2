package analytics

import (
	"cmp"
	"math/big"
	"slices"
)

// The suppression model. Every number a report can publish is a function
// of counts of groups (of sessions, learners, learner-case pairs), and the
// groups are related: a partition adds up to its whole, a nested group is
// the larger one minus a remainder, a mean or a rate ties its numerator to
// its denominator. The model holds those counts as quantities and the
// relations between them; see the package documentation for the rules it
// enforces.

// qid names a quantity of the model.
type qid int

// none is the qid of an absent quantity.
const none qid = -1

// qkind says how a report can show a quantity.
type qkind uint8

const (
	// kindCount is a count of the report.
	kindCount qkind = iota
	// kindLink is a count that only statistics read, such as the terminal
	// sessions of the completion rate: a shown statistic reveals it.
	kindLink
	// kindRest is the remainder of a relation, such as the completed
	// sessions not yet graded: never shown, it can only be derived.
	kindRest
	// kindFixed is known to the partner anyway: the roster size it gave,
	// or a count that a shown zero forces to zero.
	kindFixed
)

// quantity is one count of the model.
type quantity struct {
	raw    int64
	kind   qkind
	hidden bool
}

// part is a term of a relation: c times the count of q.
type part struct {
	q qid
	c int64
}

// relation says whole = Σ part.c · part.q, the parts being disjoint
// groups of the whole.
type relation struct {
	whole qid
	parts []part
}

// model is the quantities and relations of one report.
type model struct {
	k     int64
	qs    []quantity
	rels  []relation
	of    [][]int // the relations each quantity takes part in
	stats [][]qid // the quantities each statistic reads
	// order lists the complementary suppressions in the order made.
	order []qid
	// solved memoizes the programs of upper, which the pass asks again
	// and again with the same known values.
	solved map[string]maxResult
	// loose drops the reader's knowledge that a suppressed count is at
	// least 1 from the bounds (see least), for targets that cannot be
	// protected with it.
	loose bool
}

func (m *model) add(raw int64, kind qkind) qid {
	m.qs = append(m.qs, quantity{raw: raw, kind: kind})
	m.of = append(m.of, nil)

	return qid(len(m.qs) - 1)
}

// count, link and fixed add a quantity of their kind.
func (m *model) count(raw int64) qid { return m.add(raw, kindCount) }
func (m *model) link(raw int64) qid  { return m.add(raw, kindLink) }
func (m *model) fixed(raw int64) qid { return m.add(raw, kindFixed) }

func one(q qid) part { return part{q: q, c: 1} }

// relate adds whole = Σ parts. The relations hold by definition, but a
// tally whose sections were read at different instants may break one; a
// partner would still rely on it, and the bounds treat the contradiction
// as exposing (see below), which suppresses more.
func (m *model) relate(whole qid, parts ...part) {
	r := len(m.rels)
	m.rels = append(m.rels, relation{whole: whole, parts: parts})
	m.of[whole] = append(m.of[whole], r)
	for _, p := range parts {
		m.of[p.q] = append(m.of[p.q], r)
	}
}

// rest adds the remainder whole − Σ parts as a quantity of its own, with
// whole = Σ parts + rest.
func (m *model) rest(whole qid, parts ...part) {
	raw := m.qs[whole].raw
	for _, p := range parts {
		raw -= p.c * m.qs[p.q].raw
	}

	m.relate(whole, append(parts, one(m.add(raw, kindRest)))...)
}

// stat adds a statistic reading qs and returns its index.
func (m *model) stat(qs ...qid) int {
	m.stats = append(m.stats, qs)
	return len(m.stats) - 1
}

func (m *model) small(n int64) bool { return n >= 1 && n < m.k }

// primary reports a small count, hidden for itself.
func (m *model) primary(q qid) bool {
	return m.qs[q].kind != kindFixed && m.small(m.qs[q].raw)
}

// hidden reports whether q is suppressed.
func (m *model) hidden(q qid) bool { return m.qs[q].hidden }

// visible reports whether statistic s is shown: none of its quantities is
// hidden.
func (m *model) visible(s int) bool {
	for _, q := range m.stats[s] {
		if m.qs[q].hidden {
			return false
		}
	}

	return true
}

// known returns which quantities the report reveals: the shown counts,
// the fixed ones, and every quantity a shown statistic reads.
func (m *model) known() []bool {
	out := make([]bool, len(m.qs))
	for i, q := range m.qs {
		out[i] = q.kind == kindFixed || (q.kind == kindCount && !q.hidden)
	}

	for s, reads := range m.stats {
		if m.visible(s) {
			for _, q := range reads {
				out[q] = true
			}
		}
	}

	return out
}

// component returns the quantities not in known that the relations tie
// to h (h first), and those relations.
func (m *model) component(h qid, known []bool) ([]qid, []int) {
	vars, at := []qid{h}, map[qid]bool{h: true}
	seen := make(map[int]bool)
	var rels []int
	for i := 0; i < len(vars); i++ {
		for _, r := range m.of[vars[i]] {
			if seen[r] {
				continue
			}

			seen[r] = true
			rels = append(rels, r)
			m.members(r, func(q qid, _ int64) {
				if !known[q] && !at[q] {
					at[q] = true
					vars = append(vars, q)
				}
			})
		}
	}

	return vars, rels
}

// members calls fn with each quantity of relation r and its coefficient
// in whole − Σ parts = 0.
func (m *model) members(r int, fn func(q qid, c int64)) {
	fn(m.rels[r].whole, 1)
	for _, p := range m.rels[r].parts {
		fn(p.q, -p.c)
	}
}

// upper is the largest value h can take in any solution of the relations
// that a reader of the report would accept, given the values of the known
// quantities: every count non-negative, every suppressed count at least 1.
func (m *model) upper(h qid, known []bool) maxResult {
	vars, rels := m.component(h, known)
	col := make(map[qid]int, len(vars))
	for i, q := range vars {
		col[q] = i
	}

	// A suppressed count x is written 1 + y with y ≥ 0, so that the
	// program keeps its non-negative variables.
	p := program{obj: 0}
	for _, r := range rels {
		row, b := make([]int64, len(vars)), int64(0)
		m.members(r, func(q qid, c int64) {
			if known[q] {
				b -= c * m.qs[q].raw
			} else {
				row[col[q]] += c
				b -= c * m.least(q)
			}
		})
		p.a, p.b = append(p.a, row), append(p.b, b)
	}

	key := p.key()
	r, ok := m.solved[key]
	if !ok {
		r = maximize(p)
		if m.solved == nil {
			m.solved = make(map[string]maxResult)
		}

		m.solved[key] = r
	}

	if r.max != nil && m.least(h) > 0 {
		r.max = new(big.Rat).Add(r.max, big.NewRat(m.least(h), 1))
	}

	return r
}

// least is the smallest value a reader knows q to have: 1 for a suppressed
// count, since zero counts are always shown; 0 for anything else, and for
// everything when m.loose.
func (m *model) least(q qid) int64 {
	if q := m.qs[q]; !m.loose && q.kind == kindCount && q.hidden && q.raw > 0 {
		return 1
	}

	return 0
}

// exposed reports whether the known quantities bound h below the minimum
// cell size, which would tell that h is a small group.
func (m *model) exposed(h qid, known []bool) bool {
	return below(m.upper(h, known), m.k)
}

// below reports a bound under k. Relations without a solution can only
// come from a tally that contradicts itself; they count as exposing.
func below(r maxResult, k int64) bool {
	return r.infeasible || (r.max != nil && r.max.Cmp(big.NewRat(k, 1)) < 0)
}

// looser reports whether a allows larger values than b.
func looser(a, b maxResult) bool {
	switch {
	case a.infeasible || b.max == nil:
		return false
	case b.infeasible || a.max == nil:
		return true
	}

	return a.max.Cmp(b.max) > 0
}

// suppress hides the primary cells, then adds complementary suppressions
// until no hidden small group can be bounded below the minimum cell size,
// then shows again every complementary suppression that turned out
// unnecessary.
func (m *model) suppress() {
	var primaries []qid
	var targets []target
	for i := range m.qs {
		if q := qid(i); m.primary(q) {
			m.qs[q].hidden = true
			primaries = append(primaries, q)
		}
	}

	// Hiding more only loosens bounds, so once a target is safe it stays
	// safe while the loop goes on. A target that stays exposed with
	// nothing left to hide around it is bounded by what every report
	// shows (a small roster, say): no suppression can protect it from a
	// reader who knows that suppressed counts are at least 1. It is still
	// protected from one who does not, so that, bounded as it is, it is
	// at least not worked out exactly.
	for _, h := range primaries {
		m.loose = false
		if m.protect(h) {
			targets = append(targets, target{q: h})
			continue
		}

		m.loose = true
		if m.protect(h) {
			targets = append(targets, target{q: h, loose: true})
		}
	}

	m.loose = false
	m.prune(targets)
}

// target is a primary suppression the pass keeps protected: from a reader
// who knows that suppressed counts are at least 1, or, when loose, from
// one who knows only that counts are non-negative.
type target struct {
	q     qid
	loose bool
}

// protect adds complementary suppressions until h is not exposed, and
// reports whether it could.
func (m *model) protect(h qid) bool {
	for m.exposed(h, m.known()) {
		c := m.complement(h)
		if c == none {
			return false
		}

		m.qs[c].hidden = true
		m.order = append(m.order, c)
	}

	return true
}

// complement picks the quantity to hide next for h: the cheapest one whose
// suppression protects h, else the one that loosens h's bound most.
func (m *model) complement(h qid) qid {
	best, bound := none, maxResult{}
	for _, c := range m.candidates(h, m.known()) {
		m.qs[c].hidden = true
		r := m.upper(h, m.known())
		m.qs[c].hidden = false
		if !below(r, m.k) {
			return c
		}

		if best == none || looser(r, bound) {
			best, bound = c, r
		}
	}

	return best
}

// candidates lists, cheapest first, the known quantities that can be
// hidden in the relations around h: statistics' links first (hiding one
// only hides a rate or a mean), then counts from the smallest.
func (m *model) candidates(h qid, known []bool) []qid {
	_, rels := m.component(h, known)
	seen := make(map[qid]bool)
	var out []qid
	for _, r := range rels {
		m.members(r, func(q qid, _ int64) {
			k := m.qs[q].kind
			ok := known[q] && !seen[q] &&
				(k == kindLink || (k == kindCount && m.qs[q].raw > 0))
			if ok {
				seen[q] = true
				out = append(out, q)
			}
		})
	}

	rank := func(q qid) int {
		if m.qs[q].kind == kindLink {
			return 0
		}

		return 1
	}
	slices.SortFunc(out, func(a, b qid) int {
		return cmp.Or(cmp.Compare(rank(a), rank(b)), cmp.Compare(m.qs[a].raw, m.qs[b].raw),
			cmp.Compare(a, b))
	})

	return out
}

// prune shows again, latest first, each complementary suppression whose
// quantity can be shown without exposing a target, until none can. A
// count shown again may bring statistics back that reveal links; when
// those expose a target and hiding the links instead protects it, the
// count is shown and the links hidden, so that no count stays hidden that
// the report gives away anyway.
func (m *model) prune(targets []target) {
	for changed := true; changed; {
		changed = false
		for i := len(m.order) - 1; i >= 0; i-- {
			c := m.order[i]
			if !m.qs[c].hidden {
				continue
			}

			before := m.known()
			m.qs[c].hidden = false
			if !m.anyExposed(targets) {
				changed = true
				continue
			}

			var links []qid
			for q, k := range m.known() {
				if m.qs[c].kind == kindCount && k && !before[q] && m.qs[q].kind == kindLink {
					links = append(links, qid(q))
				}
			}

			m.setHidden(links, true)
			if len(links) > 0 && !m.anyExposed(targets) {
				m.order = append(m.order, links...)
				changed = true
				continue
			}

			m.setHidden(links, false)
			m.qs[c].hidden = true
		}
	}
}

func (m *model) setHidden(qs []qid, hidden bool) {
	for _, q := range qs {
		m.qs[q].hidden = hidden
	}
}

func (m *model) anyExposed(targets []target) bool {
	defer func() { m.loose = false }()

	known := m.known()
	for _, h := range targets {
		m.loose = h.loose
		if m.exposed(h.q, known) {
			return true
		}
	}

	return false
}

package scoring

import (
	"errors"
	"math/big"
	"slices"
	"strconv"
)

// Input is what a grader produced for one session.
type Input struct {
	// Points maps a domain code to the points awarded, in [0, max]. A
	// domain missing from both Points and ItemPoints scores 0.
	Points map[string]float64 `json:"points,omitempty"`
	// ItemPoints maps a checklist item id to the points awarded, in [0,
	// max]. A domain with items scored here takes the sum of its items;
	// its items missing from the map score 0.
	ItemPoints map[string]float64 `json:"item_points,omitempty"`
	// NotApplicable lists domains that do not apply to this session; their
	// weights are renormalised away.
	NotApplicable []string `json:"not_applicable,omitempty"`
	// Errors are the session's flagged errors; dismissed ones are ignored.
	// Each needs a code and a valid severity, dismissed or not.
	Errors []FlaggedError `json:"errors,omitempty"`
	// Threshold overrides the rubric's threshold when set; it must lie in
	// [0, 1] with at most 4 decimals and above any cap in use.
	Threshold *float64 `json:"threshold,omitempty"`
	// Mode is assessment (the zero value) or practice. Practice without a
	// threshold override has outcome not_applicable.
	Mode Mode `json:"mode,omitempty"`
}

// evaluation is the exact state of one Evaluate call.
type evaluation struct {
	p         *compiled
	skip      []bool
	points    []*big.Rat
	fromItems []bool
	threshold *big.Rat
	judged    bool
	mode      Mode
	critical  int
	penalty   *big.Rat
}

// Evaluate scores in against r, exactly as the package documentation and
// the domain reference describe:
//
//  1. validate the rubric and the input (each failure a *ValidationError);
//  2. scale each applicable domain: points / max;
//  3. aggregate (weighted_domains or points), renormalised over the
//     applicable domains;
//  4. subtract the penalties of active non-critical errors, never below 0
//     (the uncapped score);
//  5. apply the critical action once if any critical error is active;
//  6. judge hurdles, capping the score under the cap hurdle action;
//  7. judge the outcome and list the fail reasons.
//
// Dismissed flagged errors never affect the result.
func Evaluate(r Rubric, in Input) (Result, error) {
	p, err := compile(r)
	if err != nil {
		return Result{}, err
	}

	ev, err := p.read(in)
	if err != nil {
		return Result{}, err
	}

	return ev.result(), nil
}

// read validates in against p and turns it into exact form.
func (p *compiled) read(in Input) (*evaluation, error) {
	c := &checker{}
	ev := &evaluation{
		p: p, skip: make([]bool, len(p.domains)), points: make([]*big.Rat, len(p.domains)),
		fromItems: make([]bool, len(p.domains)), penalty: new(big.Rat),
	}
	ev.readMode(c, in)
	ev.readNotApplicable(c, in.NotApplicable)
	ev.readPoints(c, in.Points)
	ev.readItemPoints(c, in.ItemPoints, in.Points)
	ev.readErrors(c, in.Errors)

	if len(c.errs) > 0 {
		return nil, errors.Join(c.errs...)
	}

	return ev, nil
}

func (ev *evaluation) readMode(c *checker, in Input) {
	ev.mode = in.Mode
	if ev.mode == "" {
		ev.mode = ModeAssessment
	}

	if ev.mode != ModeAssessment && ev.mode != ModePractice {
		c.add("mode", string(in.Mode), ErrMode)
	}

	ev.threshold = ev.p.threshold
	ev.judged = ev.mode == ModeAssessment || in.Threshold != nil
	if in.Threshold == nil {
		return
	}

	ev.threshold = c.fraction("input.threshold", *in.Threshold, ErrThreshold)
	if len(c.errs) == 0 {
		if err := ev.p.checkCaps(ev.threshold, "input.threshold"); err != nil {
			c.errs = append(c.errs, err)
		}
	}
}

func (ev *evaluation) readNotApplicable(c *checker, codes []string) {
	for _, code := range codes {
		i, ok := ev.p.domainIndex[code]
		if !ok {
			c.add("not_applicable", code, ErrUnknownDomain)
			continue
		}

		ev.skip[i] = true
	}

	if !slices.Contains(ev.skip, false) {
		c.add("not_applicable", "", ErrNoApplicableDomain)
		return
	}

	if ev.p.aggregation == AggregationWeightedDomains && !ev.p.hasWeight(ev.skip) {
		c.add("not_applicable", "", ErrWeightSum)
	}
}

func (ev *evaluation) readPoints(c *checker, points map[string]float64) {
	for code, f := range points {
		i, ok := ev.p.domainIndex[code]
		if !ok {
			c.add("points", code, ErrUnknownDomain)
			continue
		}

		ev.points[i] = c.points("points["+code+"]", f, ev.p.domains[i].max)
	}
}

func (ev *evaluation) readItemPoints(c *checker, items, domains map[string]float64) {
	for id, f := range items {
		i, ok := ev.p.itemIndex[id]
		if !ok {
			c.add("item_points", id, ErrUnknownItem)
			continue
		}

		it := ev.p.items[i]
		code := ev.p.domains[it.domain].code
		if _, both := domains[code]; both {
			c.add("item_points["+id+"]", code, ErrPointsConflict)
			continue
		}

		ev.fromItems[it.domain] = true
		c.points("item_points["+id+"]", f, it.max)
	}

	for d, from := range ev.fromItems {
		if from {
			ev.points[d] = ev.sumItems(d, items)
		}
	}
}

// sumItems adds the points of domain d's items and counts its missed
// critical items.
func (ev *evaluation) sumItems(d int, items map[string]float64) *big.Rat {
	sum := new(big.Rat)
	for _, i := range ev.p.domains[d].items {
		it := ev.p.items[i]
		r, err := Exact(items[it.id])
		if err != nil {
			continue
		}

		if it.critical && r.Sign() == 0 && !ev.skip[d] {
			ev.critical++
		}

		sum.Add(sum, r)
	}

	return sum
}

func (c *checker) points(field string, f float64, limit *big.Rat) *big.Rat {
	r, err := Exact(f)
	if err != nil {
		c.add(field, fmtFloat(f), ErrNotFinite)
		return new(big.Rat)
	}

	if r.Sign() < 0 || r.Cmp(limit) > 0 {
		c.add(field, fmtFloat(f), ErrPointsRange)
	}

	return r
}

func (ev *evaluation) readErrors(c *checker, flagged []FlaggedError) {
	for i, e := range flagged {
		field := "errors[" + strconv.Itoa(i) + "]"
		if e.Status != "" && e.Status != ErrorActive && e.Status != ErrorDismissed {
			c.add(field+".status", string(e.Status), ErrErrorStatus)
			continue
		}

		if !e.Severity.Valid() {
			c.add(field+".severity", strconv.Itoa(int(e.Severity)), ErrSeverity)
			continue
		}

		if e.Code == "" {
			c.add(field+".code", "", ErrErrorCode)
			continue
		}

		switch {
		case !e.Active():
		case e.Critical:
			ev.critical++
		case ev.p.penalties[e.Severity] != nil:
			ev.penalty.Add(ev.penalty, ev.p.penalties[e.Severity])
		}
	}
}

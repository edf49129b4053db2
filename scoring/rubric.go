package scoring

import (
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// Rubric is how a case version is scored. Its zero value is not a valid
// rubric: it needs at least one domain.
type Rubric struct {
	// Domains are the scored domains, in reporting order.
	Domains []Domain `json:"domains"`
	// Items are optional checklist items, each belonging to a domain. A
	// domain with items must have MaxPoints equal to the sum of its items'.
	Items []Item `json:"items,omitempty"`
	// Aggregation combines domain scores; "" means weighted_domains.
	Aggregation Aggregation `json:"aggregation,omitempty"`
	// Threshold is the pass threshold, a scaled score in [0, 1] with at most
	// 4 decimals.
	Threshold float64 `json:"threshold"`
	// Critical is what an active critical error does.
	Critical CriticalRule `json:"critical"`
	// HurdleAction is what a domain below its minimum does; "" means flag.
	HurdleAction HurdleAction `json:"hurdle_action,omitempty"`
	// HurdleCap is the cap of HurdleCap actions; nil means Critical.Cap.
	HurdleCap *float64 `json:"hurdle_cap,omitempty"`
	// Penalties are deducted from the scaled score for each active
	// non-critical flagged error, by severity. Nil means no penalties.
	Penalties Penalties `json:"penalties,omitempty"`
}

// Penalties maps a severity to the scaled-score deduction, in [0, 1] with at
// most 4 decimals, for each active flagged error of that severity that is
// not critical. The total never takes a score below 0.
type Penalties map[Severity]float64

// CriticalRule is what an active critical flagged error, or a missed
// critical checklist item, does to the evaluation.
type CriticalRule struct {
	// Action is cap (the zero value), zero, fail or none.
	Action CriticalAction `json:"action,omitempty"`
	// Cap is the highest score allowed under the cap action, in [0, 1] with
	// at most 4 decimals and below the threshold.
	//
	// NOTE: with the zero-value rule (action cap, cap 0) a critical error
	// takes the score to 0.
	Cap float64 `json:"cap"`
}

// Domain is one scored domain of a rubric.
type Domain struct {
	// Code names the domain, e.g. "history_taking". It must be non-empty,
	// unique, and free of colons and whitespace.
	Code string `json:"code"`
	// MaxPoints is the positive maximum of the domain's points.
	MaxPoints float64 `json:"max_points"`
	// Weight is the domain's non-negative weight under weighted_domains.
	Weight int `json:"weight"`
	// Minimum, if set, is the hurdle: the lowest scaled score (points / max,
	// in [0, 1] with at most 4 decimals) the domain must reach.
	Minimum *float64 `json:"minimum,omitempty"`
}

// Item is a checklist item of a domain.
type Item struct {
	// ID names the item; unique within the rubric.
	ID string `json:"id"`
	// Domain is the code of the item's domain.
	Domain string `json:"domain"`
	// MaxPoints is the positive maximum of the item's points.
	MaxPoints float64 `json:"max_points"`
	// Critical marks an item that must not be missed: when its domain
	// applies, takes its points from its items (Input.ItemPoints) and the
	// item is awarded 0 points, the rubric's critical action applies as for
	// a critical flagged error.
	Critical bool `json:"critical,omitempty"`
}

// Validate reports every problem of r as a *ValidationError, joined with
// errors.Join; nil means r can be evaluated.
func (r Rubric) Validate() error {
	_, err := compile(r)
	return err
}

// CheckThreshold reports whether threshold can override r's pass threshold
// (Input.Threshold): r must validate, and threshold must lie in [0, 1] with
// at most 4 decimals and above every cap r uses. A threshold out of range
// is a *ValidationError on field "threshold" matching ErrThreshold; one at
// or below a cap in use is one on that cap's field ("critical.cap" or
// "hurdle_cap") matching ErrCap; a bad rubric gives Validate's errors.
func (r Rubric) CheckThreshold(threshold float64) error {
	p, err := compile(r)
	if err != nil {
		return err
	}

	c := &checker{}
	t := c.fraction("threshold", threshold, ErrThreshold)
	if len(c.errs) > 0 {
		return c.errs[0]
	}

	return p.checkCaps(t, "threshold")
}

// compiled is a validated rubric in exact form.
type compiled struct {
	domains      []compiledDomain
	domainIndex  map[string]int
	items        []compiledItem
	itemIndex    map[string]int
	aggregation  Aggregation
	threshold    *big.Rat
	action       CriticalAction
	cap          *big.Rat
	hurdleAction HurdleAction
	hurdleCap    *big.Rat
	penalties    [SeverityCritical + 1]*big.Rat
}

type compiledDomain struct {
	code    string
	max     *big.Rat
	weight  int
	minimum *big.Rat
	items   []int
}

type compiledItem struct {
	id       string
	domain   int
	max      *big.Rat
	critical bool
}

// checker collects validation errors.
type checker struct{ errs []error }

func (c *checker) add(field, value string, err error) {
	c.errs = append(c.errs, invalid(field, value, err))
}

// fraction converts f, which must lie in [0, 1] with at most 4 decimals.
func (c *checker) fraction(field string, f float64, err error) *big.Rat {
	r, convErr := Exact(f)
	if convErr != nil {
		c.add(field, fmtFloat(f), ErrNotFinite)
		return new(big.Rat)
	}

	if r.Sign() < 0 || r.Cmp(ratOne) > 0 || !HasAtMostDecimals(r, ScaledDecimals) {
		c.add(field, fmtFloat(f), err)
	}

	return r
}

// positive converts f, which must be finite and above 0.
func (c *checker) positive(field string, f float64) *big.Rat {
	r, err := Exact(f)
	if err != nil {
		c.add(field, fmtFloat(f), ErrNotFinite)
		return big.NewRat(1, 1)
	}

	if r.Sign() <= 0 {
		c.add(field, fmtFloat(f), ErrMaxPoints)
		return big.NewRat(1, 1)
	}

	return r
}

func fmtFloat(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

func compile(r Rubric) (*compiled, error) {
	c := &checker{}
	p := &compiled{}
	p.compileDomains(c, r.Domains)
	p.compileItems(c, r.Items)
	p.compileRules(c, r)

	if len(c.errs) > 0 {
		return nil, errors.Join(c.errs...)
	}

	return p, nil
}

func (p *compiled) compileDomains(c *checker, domains []Domain) {
	if len(domains) == 0 {
		c.add("domains", "", ErrNoDomains)
	}

	p.domainIndex = make(map[string]int, len(domains))
	for i, d := range domains {
		field := fmt.Sprintf("domains[%d]", i)
		_, dup := p.domainIndex[d.Code]
		if d.Code == "" || dup || strings.ContainsAny(d.Code, ": \t\r\n") {
			c.add(field+".code", d.Code, ErrDomainCode)
		}

		p.domainIndex[d.Code] = i
		cd := compiledDomain{code: d.Code, max: c.positive(field+".max_points", d.MaxPoints),
			weight: d.Weight}
		if d.Weight < 0 {
			c.add(field+".weight", strconv.Itoa(d.Weight), ErrWeight)
		}

		if d.Minimum != nil {
			cd.minimum = c.fraction(field+".minimum", *d.Minimum, ErrMinimum)
		}

		p.domains = append(p.domains, cd)
	}
}

func (p *compiled) compileItems(c *checker, items []Item) {
	p.itemIndex = make(map[string]int, len(items))
	for i, it := range items {
		field := fmt.Sprintf("items[%d]", i)
		_, dup := p.itemIndex[it.ID]
		d, known := p.domainIndex[it.Domain]
		if it.ID == "" || dup || !known {
			c.add(field, it.ID, ErrItem)
			continue
		}

		p.itemIndex[it.ID] = len(p.items)
		p.domains[d].items = append(p.domains[d].items, len(p.items))
		p.items = append(p.items, compiledItem{id: it.ID, domain: d,
			max: c.positive(field+".max_points", it.MaxPoints), critical: it.Critical})
	}

	for i, d := range p.domains {
		if len(d.items) == 0 {
			continue
		}

		sum := new(big.Rat)
		for _, it := range d.items {
			sum.Add(sum, p.items[it].max)
		}

		if sum.Cmp(d.max) != 0 {
			c.add(fmt.Sprintf("domains[%d].max_points", i), d.code, ErrItemMaxMismatch)
		}
	}
}

func (p *compiled) compileRules(c *checker, r Rubric) {
	p.aggregation = r.Aggregation
	if p.aggregation == "" {
		p.aggregation = AggregationWeightedDomains
	}

	if p.aggregation != AggregationWeightedDomains && p.aggregation != AggregationPoints {
		c.add("aggregation", string(r.Aggregation), ErrAggregation)
	}

	// Caps are compared with the threshold only when both are valid, so a
	// bad threshold reports one error, not a spurious cap error too.
	before := len(c.errs)
	p.threshold = c.fraction("threshold", r.Threshold, ErrThreshold)
	p.compileCritical(c, r)
	comparable := len(c.errs) == before
	p.compilePenalties(c, r.Penalties)

	if p.aggregation == AggregationWeightedDomains && !p.hasWeight(nil) {
		c.add("domains", "", ErrWeightSum)
	}

	if !comparable {
		return
	}

	if err := p.checkCaps(p.threshold, "threshold"); err != nil {
		c.errs = append(c.errs, err)
	}
}

func (p *compiled) compileCritical(c *checker, r Rubric) {
	p.action = r.Critical.Action
	if p.action == "" {
		p.action = CriticalCap
	}

	switch p.action {
	case CriticalCap, CriticalZero, CriticalFail, CriticalNone:
	default:
		c.add("critical.action", string(r.Critical.Action), ErrCriticalAction)
	}

	p.cap = c.fraction("critical.cap", r.Critical.Cap, ErrCap)
	p.hurdleAction = r.HurdleAction
	if p.hurdleAction == "" {
		p.hurdleAction = HurdleFlag
	}

	if p.hurdleAction != HurdleFlag && p.hurdleAction != HurdleCap {
		c.add("hurdle_action", string(r.HurdleAction), ErrHurdleAction)
	}

	p.hurdleCap = p.cap
	if r.HurdleCap != nil {
		p.hurdleCap = c.fraction("hurdle_cap", *r.HurdleCap, ErrCap)
	}
}

func (p *compiled) compilePenalties(c *checker, pen Penalties) {
	for sev, f := range pen {
		if !sev.Valid() {
			c.add("penalties", strconv.Itoa(int(sev)), ErrPenalty)
			continue
		}

		p.penalties[sev] = c.fraction("penalties."+sev.String(), f, ErrPenalty)
	}
}

// checkCaps verifies that every cap in use lies below threshold.
func (p *compiled) checkCaps(threshold *big.Rat, field string) error {
	if p.action == CriticalCap && p.cap.Cmp(threshold) >= 0 {
		return invalid("critical.cap", p.cap.FloatString(ScaledDecimals)+" >= "+field, ErrCap)
	}

	if p.hurdleAction == HurdleCap && p.hurdleCap.Cmp(threshold) >= 0 {
		return invalid("hurdle_cap", p.hurdleCap.FloatString(ScaledDecimals)+" >= "+field, ErrCap)
	}

	return nil
}

// hasWeight reports whether a domain not marked in skip has a positive
// weight.
func (p *compiled) hasWeight(skip []bool) bool {
	for i, d := range p.domains {
		if (skip == nil || !skip[i]) && d.weight > 0 {
			return true
		}
	}

	return false
}

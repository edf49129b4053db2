package session

import (
	"fmt"
	"strings"
	"time"

	"github.com/virtualaipatient/integration/scoring"
)

// CaseStatus is the publication status of a [Case].
type CaseStatus string

// Case statuses.
const (
	// CaseDraft is a case with no published version yet.
	CaseDraft CaseStatus = "draft"
	// CasePublished is a case with at least one published version.
	CasePublished CaseStatus = "published"
	// CaseRetired is a case that may no longer be assigned.
	CaseRetired CaseStatus = "retired"
)

// Case is an entry of the global case catalog. Its ID is a stable slug that
// is never reused. Case content is fictional: it must never carry real
// patient identifiers.
type Case struct {
	// ID is the slug, matching ^[a-z0-9][a-z0-9-]{1,63}$.
	ID string
	// Title is the learner-facing title.
	Title string
	// Summary is a learner-safe summary.
	Summary string
	// Tags are free-form labels, in the order given.
	Tags []string
	// Status is draft, published or retired.
	Status CaseStatus
	// CreatedAt is when the case was first registered.
	CreatedAt time.Time
	// UpdatedAt is when the case was last changed.
	UpdatedAt time.Time
}

// CaseVersion is one published, immutable version of a [Case]. MAJOR changes
// whenever scoring can change; MINOR for wording and media.
type CaseVersion struct {
	// CaseID is the case this version belongs to.
	CaseID string
	// Major is the MAJOR part of the version, at least 1.
	Major int
	// Minor is the MINOR part of the version, at least 0.
	Minor int
	// Title is the case title as published in this version.
	Title string
	// Rubric scores sessions of this version.
	Rubric scoring.Rubric
	// PublishedAt is when the version was published.
	PublishedAt time.Time
}

// Version returns the version as "MAJOR.MINOR".
func (v CaseVersion) Version() string {
	return FormatVersion(v.Major, v.Minor)
}

// FormatVersion returns "MAJOR.MINOR".
func FormatVersion(major, minor int) string {
	return fmt.Sprintf("%d.%d", major, minor)
}

// Sequencing says in which order the cases of a [CaseSet] may be taken.
type Sequencing string

// Sequencing values.
const (
	// SequencingFree lets the learner take the cases in any order.
	SequencingFree Sequencing = "free"
	// SequencingSequential unlocks a case only when every case before it
	// has a completed session.
	SequencingSequential Sequencing = "sequential"
)

// CompletionRule says when a case set counts as completed.
type CompletionRule string

// Completion rules.
const (
	// CompletionAllRequired needs every case completed.
	CompletionAllRequired CompletionRule = "all_required"
	// CompletionNOfM needs CaseSet.RequiredCount cases completed.
	CompletionNOfM CompletionRule = "n_of_m"
)

// PassRule says when a case set counts as passed.
type PassRule string

// Pass rules.
const (
	// PassAllRequired needs every required case passed.
	PassAllRequired PassRule = "all_required_passed"
	// PassWeightedMean needs the weighted mean of the case scores to reach
	// CaseSet.PassThreshold.
	PassWeightedMean PassRule = "weighted_mean"
)

// CaseRef names a case and, optionally, one of its versions ("MAJOR.MINOR").
// An empty Version means the latest published version at assignment time.
type CaseRef struct {
	// CaseID is the case.
	CaseID string
	// Version is "MAJOR.MINOR" or empty.
	Version string
	// Weight is the case's weight in a weighted mean pass rule (0 means 1).
	Weight int
}

// CaseSet is an ordered list of cases taken together. Case sets belong to the
// global catalog.
type CaseSet struct {
	// ID is a slug like a case ID.
	ID string
	// Title is the learner-facing title.
	Title string
	// Cases are the cases, in order, each case at most once.
	Cases []CaseRef
	// Sequencing is free or sequential.
	Sequencing Sequencing
	// Completion is all_required (the default when empty) or n_of_m.
	Completion CompletionRule
	// RequiredCount is N for n_of_m.
	RequiredCount int
	// Pass is all_required_passed (the default when empty) or weighted_mean.
	Pass PassRule
	// PassThreshold is the threshold for weighted_mean, in [0, 1].
	PassThreshold *float64
	// CreatedAt is when the set was first registered.
	CreatedAt time.Time
	// UpdatedAt is when the set was last changed.
	UpdatedAt time.Time
}

// ParseVersion splits "MAJOR.MINOR" (MAJOR ≥ 1, MINOR ≥ 0, no signs or
// leading zeros) into its parts, or returns a *ValidationError.
func ParseVersion(v string) (major, minor int, err error) {
	dot := strings.IndexByte(v, '.')
	if dot < 0 {
		return 0, 0, invalid("version", "must be MAJOR.MINOR")
	}

	major, okMajor := parseNumber(v[:dot])
	minor, okMinor := parseNumber(v[dot+1:])
	if !okMajor || !okMinor || major < 1 {
		return 0, 0, invalid("version", "must be MAJOR.MINOR with MAJOR at least 1")
	}

	return major, minor, nil
}

// parseNumber reads a decimal without sign or leading zero, up to 6 digits.
func parseNumber(s string) (int, bool) {
	if s == "" || len(s) > 6 || len(s) > 1 && s[0] == '0' {
		return 0, false
	}

	n := 0
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0, false
		}

		n = n*10 + int(r-'0')
	}

	return n, true
}

package session

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/virtualaipatient/integration/scoring"
)

var slugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,63}$`)

func checkSlug(field, id string) error {
	if !slugPattern.MatchString(id) {
		return invalid(field, "must match ^[a-z0-9][a-z0-9-]{1,63}$")
	}

	return nil
}

// PutCase registers a case or updates its title, summary and tags. The
// status is derived: retired when c.Status is CaseRetired, else published
// when the case has a published version, else draft. CreatedAt is kept
// from the stored case; UpdatedAt is now.
func (s *Service) PutCase(ctx context.Context, c Case) (Case, error) {
	if err := checkSlug("case.id", c.ID); err != nil {
		return Case{}, err
	}

	if c.Title == "" {
		return Case{}, invalid("case.title", "must not be empty")
	}

	if err := checkCaseText(c); err != nil {
		return Case{}, err
	}

	var out Case
	err := s.inTx(ctx, func(tx Tx, now time.Time) error {
		stored, err := tx.GetCase(ctx, c.ID)
		switch {
		case err == nil:
			c.CreatedAt = stored.CreatedAt
		case errors.Is(err, ErrNotFound):
			c.CreatedAt = now
		default:
			return fmt.Errorf("session: case: %w", err)
		}

		if c.Status, err = caseStatus(ctx, tx, c); err != nil {
			return err
		}

		c.UpdatedAt = now
		out = c
		return tx.PutCase(ctx, c)
	})

	return out, err
}

func caseStatus(ctx context.Context, tx Tx, c Case) (CaseStatus, error) {
	if c.Status == CaseRetired {
		return CaseRetired, nil
	}

	_, err := tx.LatestCaseVersion(ctx, c.ID)
	switch {
	case err == nil:
		return CasePublished, nil
	case errors.Is(err, ErrNotFound):
		return CaseDraft, nil
	}

	return "", fmt.Errorf("session: case version: %w", err)
}

// PublishCaseVersion publishes an immutable version of a registered case.
// The rubric must validate and the version must be above the latest one
// published; the title defaults to the case's. The case becomes published.
// Publishing a version again with the same title and rubric returns the
// stored version and changes nothing, so a host may register its catalog
// at every start; the same version with other content fails with an
// ErrInvalid. A retired case fails with ErrCaseRetired, an unknown one
// with ErrUnknownCase.
func (s *Service) PublishCaseVersion(ctx context.Context, v CaseVersion) (CaseVersion, error) {
	if err := checkIdentifiers("case_version.title", v.Title); err != nil {
		return CaseVersion{}, err
	}

	if err := checkVersion(v); err != nil {
		return CaseVersion{}, err
	}

	err := s.inTx(ctx, func(tx Tx, now time.Time) error {
		c, err := tx.GetCase(ctx, v.CaseID)
		if err != nil {
			return notFoundAs(err, ErrUnknownCase, "case")
		}

		if c.Status == CaseRetired {
			return ErrCaseRetired
		}

		if v.Title == "" {
			v.Title = c.Title
		}

		stored, err := republished(ctx, tx, v)
		if err != nil || stored != nil {
			if stored != nil {
				v = *stored
			}

			return err
		}

		if err := checkAboveLatest(ctx, tx, v); err != nil {
			return err
		}

		if err := checkCaseText(c); err != nil {
			return err
		}

		v.PublishedAt = now
		if err := tx.InsertCaseVersion(ctx, v); err != nil {
			return fmt.Errorf("session: publish: %w", err)
		}

		c.Status, c.UpdatedAt = CasePublished, now
		return tx.PutCase(ctx, c)
	})
	if err != nil {
		return CaseVersion{}, err
	}

	return v, nil
}

func checkVersion(v CaseVersion) error {
	if err := checkSlug("case_version.case_id", v.CaseID); err != nil {
		return err
	}

	if v.Major < 1 || v.Minor < 0 {
		return invalid("case_version.version", "must be MAJOR.MINOR with MAJOR at least 1")
	}

	if err := v.Rubric.Validate(); err != nil {
		return &ValidationError{Field: "case_version.rubric", Reason: "invalid", Err: err}
	}

	return nil
}

// republished returns the stored version when v's MAJOR.MINOR is already
// published with the same title and rubric, so that a host registering its
// catalog at every start publishes each version once. The same version
// with other content fails: published versions are immutable.
func republished(ctx context.Context, tx Tx, v CaseVersion) (*CaseVersion, error) {
	stored, err := tx.GetCaseVersion(ctx, v.CaseID, v.Major, v.Minor)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}

	if err != nil {
		return nil, fmt.Errorf("session: case version: %w", err)
	}

	same, err := sameRubric(stored.Rubric, v.Rubric)
	if err != nil {
		return nil, err
	}

	if !same || stored.Title != v.Title {
		return nil, invalid("case_version.version",
			"already published with another title or rubric; publish a new version")
	}

	return &stored, nil
}

// sameRubric compares rubrics by their JSON form, which ignores the
// difference between nil and empty lists that a store round trip makes.
func sameRubric(a, b scoring.Rubric) (bool, error) {
	ja, err := json.Marshal(a)
	if err != nil {
		return false, fmt.Errorf("session: rubric: %w", err)
	}

	jb, err := json.Marshal(b)
	if err != nil {
		return false, fmt.Errorf("session: rubric: %w", err)
	}

	return bytes.Equal(ja, jb), nil
}

func checkAboveLatest(ctx context.Context, tx Tx, v CaseVersion) error {
	latest, err := tx.LatestCaseVersion(ctx, v.CaseID)
	if errors.Is(err, ErrNotFound) {
		return nil
	}

	if err != nil {
		return fmt.Errorf("session: case version: %w", err)
	}

	if v.Major < latest.Major || v.Major == latest.Major && v.Minor <= latest.Minor {
		return invalid("case_version.version", "must be above the latest published version")
	}

	return nil
}

// PutCaseSet registers a case set or replaces it. Every case must be
// registered and every pinned version published (ErrUnknownCase). Empty
// Sequencing, Completion and Pass take free, all_required and
// all_required_passed. Assignments already made keep the cases they
// resolved.
func (s *Service) PutCaseSet(ctx context.Context, cs CaseSet) (CaseSet, error) {
	if err := checkCaseSet(&cs); err != nil {
		return CaseSet{}, err
	}

	err := s.inTx(ctx, func(tx Tx, now time.Time) error {
		for _, ref := range cs.Cases {
			if _, err := resolveRef(ctx, tx, ref); err != nil {
				return err
			}
		}

		stored, err := tx.GetCaseSet(ctx, cs.ID)
		switch {
		case err == nil:
			cs.CreatedAt = stored.CreatedAt
		case errors.Is(err, ErrNotFound):
			cs.CreatedAt = now
		default:
			return fmt.Errorf("session: case set: %w", err)
		}

		cs.UpdatedAt = now
		return tx.PutCaseSet(ctx, cs)
	})
	if err != nil {
		return CaseSet{}, err
	}

	return cs, nil
}

func checkCaseSet(cs *CaseSet) error {
	if err := checkSlug("case_set.id", cs.ID); err != nil {
		return err
	}

	if err := checkIdentifiers("case_set.title", cs.Title); err != nil {
		return err
	}

	if len(cs.Cases) == 0 {
		return invalid("case_set.cases", "must not be empty")
	}

	seen := map[string]bool{}
	for _, ref := range cs.Cases {
		if seen[ref.CaseID] || ref.Weight < 0 {
			return invalid("case_set.cases", "cases must be unique with weights at least 0")
		}

		seen[ref.CaseID] = true
	}

	return checkCaseSetRules(cs)
}

func checkCaseSetRules(cs *CaseSet) error {
	cs.Sequencing = cmp.Or(cs.Sequencing, SequencingFree)
	cs.Completion = cmp.Or(cs.Completion, CompletionAllRequired)
	cs.Pass = cmp.Or(cs.Pass, PassAllRequired)
	switch {
	case cs.Sequencing != SequencingFree && cs.Sequencing != SequencingSequential:
		return invalid("case_set.sequencing", "must be free or sequential")
	case cs.Completion != CompletionAllRequired && cs.Completion != CompletionNOfM:
		return invalid("case_set.completion", "must be all_required or n_of_m")
	case cs.Completion == CompletionNOfM && (cs.RequiredCount < 1 || cs.RequiredCount > len(cs.Cases)):
		return invalid("case_set.required_count", "must be between 1 and the number of cases")
	case cs.Pass != PassAllRequired && cs.Pass != PassWeightedMean:
		return invalid("case_set.pass", "must be all_required_passed or weighted_mean")
	case cs.Pass == PassWeightedMean && !inUnit(cs.PassThreshold):
		return invalid("case_set.pass_threshold", "must be set and in [0, 1]")
	case cs.PassThreshold != nil && !hasFourDecimals(*cs.PassThreshold):
		return invalid("case_set.pass_threshold", "must have at most 4 decimals")
	}

	return nil
}

func inUnit(f *float64) bool {
	return f != nil && *f >= 0 && *f <= 1
}

// hasFourDecimals reports whether f, a finite number, is exactly a decimal
// of at most 4 places, as scoring requires of thresholds.
func hasFourDecimals(f float64) bool {
	r, err := scoring.Exact(f)

	return err == nil && scoring.HasAtMostDecimals(r, scoring.ScaledDecimals)
}

// resolveRef pins a case reference to a published version: the named one
// or the latest.
func resolveRef(ctx context.Context, tx Tx, ref CaseRef) (CaseRef, error) {
	c, err := tx.GetCase(ctx, ref.CaseID)
	if err != nil {
		return CaseRef{}, notFoundAs(err, ErrUnknownCase, "case")
	}

	if c.Status == CaseRetired {
		return CaseRef{}, ErrCaseRetired
	}

	var v CaseVersion
	if ref.Version == "" {
		v, err = tx.LatestCaseVersion(ctx, ref.CaseID)
	} else {
		major, minor, perr := ParseVersion(ref.Version)
		if perr != nil {
			return CaseRef{}, perr
		}

		v, err = tx.GetCaseVersion(ctx, ref.CaseID, major, minor)
	}

	if err != nil {
		return CaseRef{}, notFoundAs(err, ErrUnknownCase, "case version")
	}

	ref.Version = v.Version()
	return ref, nil
}

// resolveTarget fills a.Cases and a.Sequencing from the catalog.
func resolveTarget(ctx context.Context, tx Tx, a *Assignment) error {
	if a.CaseSetID == "" {
		ref, err := resolveRef(ctx, tx, CaseRef{CaseID: a.CaseID})
		if err != nil {
			return err
		}

		a.Cases, a.Sequencing = []CaseRef{ref}, SequencingFree
		return nil
	}

	set, err := tx.GetCaseSet(ctx, a.CaseSetID)
	if err != nil {
		return notFoundAs(err, ErrUnknownCase, "case set")
	}

	a.Cases = make([]CaseRef, 0, len(set.Cases))
	for _, ref := range set.Cases {
		pinned, err := resolveRef(ctx, tx, ref)
		if err != nil {
			return err
		}

		a.Cases = append(a.Cases, pinned)
	}

	a.Sequencing = set.Sequencing
	return nil
}

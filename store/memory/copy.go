package memory

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/virtualaipatient/integration/session"
)

// The copy functions give every stored and returned value its own memory,
// so callers never alias stored data. Times become UTC without a monotonic
// reading, as SQL stores return them. Structured scoring values are copied
// through encoding/json, the encoding SQL stores use for them, so a value
// that cannot be encoded is rejected here too.

func utc(t time.Time) time.Time {
	return t.UTC().Round(0)
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}

	v := *p
	return &v
}

func cloneJSON[T any](v T) (T, error) {
	var out T
	b, err := json.Marshal(v)
	if err != nil {
		return out, fmt.Errorf("memory: encode %T: %w", v, err)
	}

	if err := json.Unmarshal(b, &out); err != nil {
		return out, fmt.Errorf("memory: decode %T: %w", v, err)
	}

	return out, nil
}

func cloneJSONPtr[T any](p *T) (*T, error) {
	if p == nil {
		return nil, nil
	}

	v, err := cloneJSON(*p)
	if err != nil {
		return nil, err
	}

	return &v, nil
}

func copyCase(c session.Case) session.Case {
	c.Tags = slices.Clone(c.Tags)
	c.CreatedAt, c.UpdatedAt = utc(c.CreatedAt), utc(c.UpdatedAt)
	return c
}

func copyVersion(v session.CaseVersion) (session.CaseVersion, error) {
	r, err := cloneJSON(v.Rubric)
	if err != nil {
		return session.CaseVersion{}, err
	}

	v.Rubric = r
	v.PublishedAt = utc(v.PublishedAt)
	return v, nil
}

func copyCaseSet(s session.CaseSet) session.CaseSet {
	s.Cases = slices.Clone(s.Cases)
	s.PassThreshold = clonePtr(s.PassThreshold)
	s.CreatedAt, s.UpdatedAt = utc(s.CreatedAt), utc(s.UpdatedAt)
	return s
}

func copyCohort(c session.Cohort) session.Cohort {
	c.RosterSize = clonePtr(c.RosterSize)
	c.CreatedAt, c.UpdatedAt = utc(c.CreatedAt), utc(c.UpdatedAt)
	return c
}

func copyAssignment(a session.Assignment) session.Assignment {
	a.Cases = slices.Clone(a.Cases)
	a.Threshold = clonePtr(a.Threshold)
	a.OpensAt, a.DueAt, a.ClosesAt = utc(a.OpensAt), utc(a.DueAt), utc(a.ClosesAt)
	a.CreatedAt, a.UpdatedAt = utc(a.CreatedAt), utc(a.UpdatedAt)
	return a
}

func copySession(s session.Session) (session.Session, error) {
	var err error
	if s.Input, err = cloneJSONPtr(s.Input); err != nil {
		return session.Session{}, err
	}

	if s.Score, err = cloneJSONPtr(s.Score); err != nil {
		return session.Session{}, err
	}

	if s.FlaggedErrors != nil {
		if s.FlaggedErrors, err = cloneJSON(s.FlaggedErrors); err != nil {
			return session.Session{}, err
		}
	}

	s.Threshold = clonePtr(s.Threshold)
	s.CreatedAt, s.StartedAt = utc(s.CreatedAt), utc(s.StartedAt)
	s.LastActivityAt, s.EndedAt = utc(s.LastActivityAt), utc(s.EndedAt)
	s.ActiveSince = utc(s.ActiveSince)
	return s, nil
}

func copySessions(list []session.Session) ([]session.Session, error) {
	out := make([]session.Session, 0, len(list))
	for _, s := range list {
		cp, err := copySession(s)
		if err != nil {
			return nil, err
		}

		out = append(out, cp)
	}

	return out, nil
}

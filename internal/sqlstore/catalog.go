package sqlstore

import (
	"context"

	"github.com/virtualaipatient/integration/session"
)

// caseRefJSON is the stored form of a session.CaseRef: stable snake_case
// names that SQL aggregates may rely on.
type caseRefJSON struct {
	CaseID  string `json:"case_id"`
	Version string `json:"version,omitempty"`
	Weight  int    `json:"weight,omitempty"`
}

func caseRefsArg(refs []session.CaseRef) (string, error) {
	out := make([]caseRefJSON, 0, len(refs))
	for _, r := range refs {
		out = append(out, caseRefJSON{CaseID: r.CaseID, Version: r.Version, Weight: r.Weight})
	}

	return jsonArg(out)
}

// caseRefsCol scans a JSON case list into a []session.CaseRef field.
type caseRefsCol struct{ p *[]session.CaseRef }

// Scan implements sql.Scanner.
func (c caseRefsCol) Scan(v any) error {
	var refs []caseRefJSON
	if err := (jsonCol{dst: &refs}).Scan(v); err != nil {
		return err
	}

	*c.p = nil
	for _, r := range refs {
		*c.p = append(*c.p, session.CaseRef{CaseID: r.CaseID, Version: r.Version, Weight: r.Weight})
	}

	return nil
}

// PutCase inserts the case or replaces the one with the same ID.
func (o *ops) PutCase(ctx context.Context, c session.Case) error {
	tags := c.Tags
	if tags == nil {
		tags = []string{}
	}

	tagsJSON, err := jsonArg(tags)
	if err != nil {
		return o.d.wrap("put case", err)
	}

	_, err = o.exec(ctx, "put case", nil, `
		INSERT INTO cases (id, title, summary, tags, status, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (id) DO UPDATE SET
			title = excluded.title, summary = excluded.summary, tags = excluded.tags,
			status = excluded.status, created_at = excluded.created_at,
			updated_at = excluded.updated_at`,
		c.ID, c.Title, c.Summary, tagsJSON, string(c.Status),
		o.d.time(c.CreatedAt), o.d.time(c.UpdatedAt))

	return err
}

// GetCase returns the case with the ID, or ErrNotFound.
func (o *ops) GetCase(ctx context.Context, id string) (session.Case, error) {
	var c session.Case
	err := o.q.QueryRowContext(ctx, `
		SELECT id, title, summary, tags, status, created_at, updated_at
		FROM cases WHERE id = $1`, id).Scan(
		&c.ID, &c.Title, &c.Summary, jsonCol{&c.Tags}, &c.Status,
		timeCol{&c.CreatedAt}, timeCol{&c.UpdatedAt})
	if err != nil {
		return session.Case{}, o.fail("get case", err, nil)
	}

	if len(c.Tags) == 0 {
		c.Tags = nil
	}

	return c, nil
}

var versionKeys = map[string]error{CaseVersionKey: session.ErrAlreadyExists}

// InsertCaseVersion stores a new version, or returns ErrAlreadyExists.
func (o *ops) InsertCaseVersion(ctx context.Context, v session.CaseVersion) error {
	rubric, err := jsonArg(v.Rubric)
	if err != nil {
		return o.d.wrap("insert case version", err)
	}

	_, err = o.exec(ctx, "insert case version", versionKeys, `
		INSERT INTO case_versions (case_id, major, minor, title, rubric, published_at)
		VALUES ($1, $2, $3, $4, $5, $6)`,
		v.CaseID, v.Major, v.Minor, v.Title, rubric, o.d.time(v.PublishedAt))

	return err
}

const versionColumns = `case_id, major, minor, title, rubric, published_at`

func (o *ops) scanVersion(op string, row interface{ Scan(...any) error }) (
	session.CaseVersion, error) {
	var v session.CaseVersion
	err := row.Scan(&v.CaseID, &v.Major, &v.Minor, &v.Title, jsonCol{&v.Rubric},
		timeCol{&v.PublishedAt})
	if err != nil {
		return session.CaseVersion{}, o.fail(op, err, nil)
	}

	return v, nil
}

// GetCaseVersion returns the version of the case, or ErrNotFound.
func (o *ops) GetCaseVersion(ctx context.Context, caseID string, major, minor int) (
	session.CaseVersion, error) {
	row := o.q.QueryRowContext(ctx, `SELECT `+versionColumns+`
		FROM case_versions WHERE case_id = $1 AND major = $2 AND minor = $3`,
		caseID, major, minor)

	return o.scanVersion("get case version", row)
}

// LatestCaseVersion returns the case's highest version, or ErrNotFound.
func (o *ops) LatestCaseVersion(ctx context.Context, caseID string) (session.CaseVersion, error) {
	row := o.q.QueryRowContext(ctx, `SELECT `+versionColumns+`
		FROM case_versions WHERE case_id = $1
		ORDER BY major DESC, minor DESC LIMIT 1`, caseID)

	return o.scanVersion("latest case version", row)
}

// PutCaseSet inserts the set or replaces the one with the same ID.
func (o *ops) PutCaseSet(ctx context.Context, s session.CaseSet) error {
	cases, err := caseRefsArg(s.Cases)
	if err != nil {
		return o.d.wrap("put case set", err)
	}

	_, err = o.exec(ctx, "put case set", nil, `
		INSERT INTO case_sets (id, title, cases, sequencing, completion, required_count,
			pass, pass_threshold, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		ON CONFLICT (id) DO UPDATE SET
			title = excluded.title, cases = excluded.cases,
			sequencing = excluded.sequencing, completion = excluded.completion,
			required_count = excluded.required_count, pass = excluded.pass,
			pass_threshold = excluded.pass_threshold,
			created_at = excluded.created_at, updated_at = excluded.updated_at`,
		s.ID, s.Title, cases, string(s.Sequencing), string(s.Completion), s.RequiredCount,
		string(s.Pass), floatArg(s.PassThreshold), o.d.time(s.CreatedAt),
		o.d.time(s.UpdatedAt))

	return err
}

// GetCaseSet returns the set with the ID, or ErrNotFound.
func (o *ops) GetCaseSet(ctx context.Context, id string) (session.CaseSet, error) {
	var s session.CaseSet
	err := o.q.QueryRowContext(ctx, `
		SELECT id, title, cases, sequencing, completion, required_count, pass,
			pass_threshold, created_at, updated_at
		FROM case_sets WHERE id = $1`, id).Scan(
		&s.ID, &s.Title, caseRefsCol{&s.Cases}, &s.Sequencing, &s.Completion,
		&s.RequiredCount, &s.Pass, floatCol{&s.PassThreshold},
		timeCol{&s.CreatedAt}, timeCol{&s.UpdatedAt})
	if err != nil {
		return session.CaseSet{}, o.fail("get case set", err, nil)
	}

	return s, nil
}

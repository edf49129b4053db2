package storetest

import (
	"github.com/virtualaipatient/integration/session"
)

// The norm... functions turn empty slices into nil, since the store
// contract treats them as equal.

func normCase(c session.Case) session.Case {
	if len(c.Tags) == 0 {
		c.Tags = nil
	}

	return c
}

func normCaseSet(s session.CaseSet) session.CaseSet {
	if len(s.Cases) == 0 {
		s.Cases = nil
	}

	return s
}

func normAssignment(a session.Assignment) session.Assignment {
	if len(a.Cases) == 0 {
		a.Cases = nil
	}

	return a
}

func normAssignments(list []session.Assignment) []session.Assignment {
	out := make([]session.Assignment, 0, len(list))
	for _, a := range list {
		out = append(out, normAssignment(a))
	}

	return out
}

func normSession(s session.Session) session.Session {
	if len(s.FlaggedErrors) == 0 {
		s.FlaggedErrors = nil
	}

	return s
}

func sessionIDs(list []session.Session) []string {
	ids := make([]string, 0, len(list))
	for _, s := range list {
		ids = append(ids, s.ID)
	}

	return ids
}

func assignmentIDs(list []session.Assignment) []string {
	ids := make([]string, 0, len(list))
	for _, a := range list {
		ids = append(ids, a.ID)
	}

	return ids
}

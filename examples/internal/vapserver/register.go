package vapserver

import (
	"context"
	"errors"
	"fmt"

	"github.com/virtualaipatient/integration/examples/internal/demo"
	"github.com/virtualaipatient/integration/session"
)

// register puts the demo catalog and the partners' cohorts in the store.
// It can run again on a kept database: published versions are left alone.
func (s *Server) register(ctx context.Context) error {
	for _, c := range demo.Cases() {
		if err := s.registerCase(ctx, c.Case); err != nil {
			return err
		}
	}

	if _, err := s.service.PutCaseSet(ctx, demo.CaseSet()); err != nil {
		return fmt.Errorf("vapserver: register case set: %w", err)
	}

	for _, p := range s.cfg.Partners {
		for _, c := range p.Cohorts {
			c.PartnerID = p.ID
			if _, err := s.service.PutCohort(ctx, c); err != nil {
				return fmt.Errorf("vapserver: register cohort: %w", err)
			}
		}
	}

	return nil
}

func (s *Server) registerCase(ctx context.Context, c session.Case) error {
	if _, err := s.service.PutCase(ctx, c); err != nil {
		return fmt.Errorf("vapserver: register case: %w", err)
	}

	_, err := s.cfg.Store.LatestCaseVersion(ctx, c.ID)
	if err == nil {
		return nil
	}

	if !errors.Is(err, session.ErrNotFound) {
		return fmt.Errorf("vapserver: read case version: %w", err)
	}

	_, err = s.service.PublishCaseVersion(ctx, session.CaseVersion{
		CaseID: c.ID, Major: 1, Minor: 0, Title: c.Title, Rubric: demo.Rubric(),
	})
	if err != nil {
		return fmt.Errorf("vapserver: publish case version: %w", err)
	}

	return nil
}

package memory_test

import (
	"testing"
	"time"

	"github.com/virtualaipatient/integration/session"
	"github.com/virtualaipatient/integration/store/memory"
	"github.com/virtualaipatient/integration/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) session.Store { return memory.New() })
}

func TestReportingConformance(t *testing.T) {
	storetest.RunReporting(t, func(t *testing.T, now func() time.Time) storetest.ReportingStore {
		return memory.New(memory.WithClock(now))
	})
}

func TestPrivacyConformance(t *testing.T) {
	storetest.RunPrivacy(t, func(t *testing.T) storetest.PrivacyStore {
		return memory.New()
	}, nil)
}

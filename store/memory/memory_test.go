package memory_test

import (
	"testing"

	"github.com/virtualaipatient/integration/session"
	"github.com/virtualaipatient/integration/store/memory"
	"github.com/virtualaipatient/integration/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) session.Store { return memory.New() })
}

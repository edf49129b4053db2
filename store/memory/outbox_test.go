package memory_test

import (
	"testing"

	"github.com/virtualaipatient/integration/store/memory"
	"github.com/virtualaipatient/integration/store/storetest"
)

func TestOutboxConformance(t *testing.T) {
	storetest.RunOutbox(t, func(t *testing.T) storetest.OutboxStore { return memory.New() })
}

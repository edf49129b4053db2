package memory_test

import (
	"testing"

	"github.com/virtualaipatient/integration/launch/oidc"
	"github.com/virtualaipatient/integration/launch/oidc/oidctest"
	"github.com/virtualaipatient/integration/store/memory"
)

func TestFlowStoreConformance(t *testing.T) {
	oidctest.RunFlowStore(t, func(t *testing.T) oidc.FlowStore { return memory.New() })
}

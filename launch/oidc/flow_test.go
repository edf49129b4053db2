package oidc_test

import (
	"testing"

	"github.com/virtualaipatient/integration/launch/oidc"
	"github.com/virtualaipatient/integration/launch/oidc/oidctest"
)

func TestMemoryFlows(t *testing.T) {
	oidctest.RunFlowStore(t, func(*testing.T) oidc.FlowStore { return &oidc.MemoryFlows{} })
}

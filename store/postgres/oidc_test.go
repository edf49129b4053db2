package postgres_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/internal/testenv"
	"github.com/virtualaipatient/integration/launch/oidc"
	"github.com/virtualaipatient/integration/launch/oidc/oidctest"
	"github.com/virtualaipatient/integration/store/postgres"
)

func TestFlowStoreConformance(t *testing.T) {
	dsn := testenv.PostgresDSN(t)
	oidctest.RunFlowStore(t, func(t *testing.T) oidc.FlowStore {
		st, err := postgres.Open(context.Background(), dsn,
			postgres.Options{Schema: newSchema(t, dsn)})
		require.NoError(t, err)
		t.Cleanup(st.Close)

		return st
	})
}

package sqlite

import "github.com/virtualaipatient/integration/launch/oidc"

// The store keeps single sign-on flows (migration 0004) through the
// shared SQL store's SaveFlow, TakeFlow and PurgeFlows.
var _ oidc.FlowStore = (*Store)(nil)

// Package oidctest is the conformance suite of oidc.FlowStore: every
// implementation (oidc.MemoryFlows, the SQLite and PostgreSQL stores) runs
// [RunFlowStore] from its own tests.
package oidctest

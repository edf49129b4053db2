// Package memory is an in-memory [session.Store], for tests, examples and
// single-process deployments that can lose their data on restart.
//
// Start from [New]. The store keeps the same semantics as the SQL adapters:
// it passes the store/storetest conformance suite, copies every value in and
// out, returns times in UTC and serializes transactions.
package memory

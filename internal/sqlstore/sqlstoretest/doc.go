// Package sqlstoretest holds the tests that the SQL adapters (store/sqlite,
// store/postgres) run beyond the conformance suite of store/storetest:
// two service instances racing on one launch token through two handles on
// one database ([ReplayRace]), a launch that fails part-way ([FailMidLaunch]),
// a writer killed with SIGKILL ([Crash]), one-time launch codes shared by
// two handles ([SharedCodes]), the launch benchmark ([BenchmarkLaunch]) and
// benchmarks of the full reporting handler ([BenchmarkHandlerLaunch],
// [BenchmarkHandlerSummary], [BenchmarkHandlerSessionPage]).
package sqlstoretest

// Every test here starts real silo processes (or a redis-server) on a 2-core CI machine: one cluster at a time, so a
// loaded machine never makes a live silo look dead to Orleans' failure detector.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

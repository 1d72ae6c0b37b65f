// Every test mounts loopback images; running them one at a time keeps loop devices and the two
// CPUs of a build machine free for the other test projects that run at the same time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

using BenchmarkDotNet.Attributes;

namespace Pm.Benchmarks;

/// <summary>The same lifecycle on one and two threads: the reported time is per lifecycle, so throughput is its inverse.</summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class ParallelLifecycleBenchmarks
{
    private const int Lifecycles = 200_000;

    private string[][] _ids = [];
    private ProcessList _list = null!;

    [Params(1, 2)]
    public int Threads { get; set; }

    [Params(0, 1000)]
    public int Retained { get; set; }

    [Params(1, 64)]
    public int IdsPerThread { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _list = new ProcessList(new ProcessListOptions { FinishedTaskLimit = Retained });
        _ids = Workloads.Ids(_list, 2, IdsPerThread);
    }

    [GlobalCleanup]
    public void Cleanup() => _list.Dispose();

    [Benchmark(OperationsPerInvoke = Lifecycles)]
    public void Lifecycle() => Workloads.Lifecycles(_list, _ids, Threads, Lifecycles);
}

/// <summary>What this machine gives two threads at all: work that shares nothing, and the lifecycle's allocations alone.</summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class ScalingCeilingBenchmarks
{
    private const int Operations = 200_000;

    [Params(1, 2)]
    public int Threads { get; set; }

    [Benchmark(OperationsPerInvoke = Operations, Description = "~250 ns of arithmetic, nothing shared")]
    public void Arithmetic() => Workloads.Arithmetic(Threads, Operations);

    [Benchmark(OperationsPerInvoke = Operations, Description = "the same arithmetic + a lifecycle's 240 B")]
    public void ArithmeticAndAllocation() => Workloads.Allocations(Threads, Operations, withArithmetic: true);

    [Benchmark(OperationsPerInvoke = Operations, Description = "the lifecycle's 240 B of allocation alone")]
    public void Allocation() => Workloads.Allocations(Threads, Operations, withArithmetic: false);
}

using BenchmarkDotNet.Attributes;

namespace Pm.Benchmarks;

/// <summary>The same lifecycle on one and two threads: the reported time is per lifecycle, so throughput is its inverse.</summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class ParallelLifecycleBenchmarks
{
    private const int Lifecycles = 200_000;

    private readonly KeyValuePair<string, object?>[] _attributes = [new("method", "GET"), new("uri", "/api/items/77")];
    private ProcessList _list = null!;

    [Params(1, 2)]
    public int Threads { get; set; }

    [Params(0, 1000)]
    public int Retained { get; set; }

    [GlobalSetup]
    public void Setup() => _list = new ProcessList(new ProcessListOptions { FinishedTaskLimit = Retained });

    [GlobalCleanup]
    public void Cleanup() => _list.Dispose();

    [Benchmark(OperationsPerInvoke = Lifecycles)]
    public void Lifecycle()
    {
        var threads = new Thread[Threads];
        for (var t = 0; t < threads.Length; t++)
        {
            var id = "req-" + t;
            threads[t] = new Thread(() =>
            {
                for (var i = 0; i < Lifecycles / threads.Length; i++)
                {
                    LifecycleBenchmarks.RunLifecycle(_list, id, _attributes);
                }
            });
            threads[t].Start();
        }

        foreach (var thread in threads)
        {
            thread.Join();
        }
    }
}

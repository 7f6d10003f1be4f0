using BenchmarkDotNet.Attributes;

namespace Pm.Benchmarks;

/// <summary>The same lifecycle on one and two threads: the reported time is per lifecycle, so throughput is its inverse.</summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class ParallelLifecycleBenchmarks
{
    private const int Lifecycles = 200_000;

    private readonly KeyValuePair<string, object?>[] _attributes = [new("method", "GET"), new("uri", "/api/items/77")];
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
        _ids = [.. Enumerable.Range(0, 2).Select(t => Enumerable.Range(0, IdsPerThread).Select(i => $"req-{t}-{i}").ToArray())];
    }

    [GlobalCleanup]
    public void Cleanup() => _list.Dispose();

    [Benchmark(OperationsPerInvoke = Lifecycles)]
    public void Lifecycle()
    {
        var threads = new Thread[Threads];
        for (var t = 0; t < threads.Length; t++)
        {
            // One id per thread keeps each thread on a stripe of its own (the tracker's own scaling); 64 ids per
            // thread spread both threads over every stripe, as real request ids do, so stripes are shared.
            var ids = _ids[t];
            threads[t] = new Thread(() =>
            {
                for (var i = 0; i < Lifecycles / threads.Length; i++)
                {
                    LifecycleBenchmarks.RunLifecycle(_list, ids[i & (ids.Length - 1)], _attributes);
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

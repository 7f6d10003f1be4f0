using BenchmarkDotNet.Attributes;

namespace Pm.Benchmarks;

/// <summary>A snapshot of 10,000 running tasks with 3 attributes each.</summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class SnapshotBenchmarks
{
    private ProcessList _list = null!;

    [GlobalSetup]
    public void Setup()
    {
        _list = new ProcessList();
        for (var i = 0; i < 10_000; i++)
        {
            var task = _list.Start($"req{i}", [new("method", "GET"), new("uri", $"/api/items/{i}"), new("host", "10.1.2.3:5555")]);
            task.Status("step 1");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _list.Dispose();

    [Benchmark(Description = "GetAll, 10,000 running tasks")]
    public int GetAll() => _list.GetAll().Count;
}

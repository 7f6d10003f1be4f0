using System.IO.Pipelines;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Pm.AspNetCore.Internal;

namespace Pm.Benchmarks;

/// <summary>Listing 10,000 running tasks with 3 attributes: the snapshot alone, and the whole <c>GET /procs/</c> body.</summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class ListingBenchmarks
{
    private ProcessList _list = null!;

    [GlobalSetup]
    public void Setup()
    {
        _list = new ProcessList();
        for (var i = 0; i < 10_000; i++)
        {
            _list.Start($"req{i}", [new("method", "GET"), new("uri", $"/api/items/{i}"), new("host", "10.1.2.3:5555")]).Status("step 1");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _list.Dispose();

    [Benchmark(Description = "GetAll, 10,000 running tasks")]
    public int GetAll() => _list.GetAll().Count;

    [Benchmark(Description = "GET /procs/ body, 10,000 tasks x 3 attributes")]
    public async Task SerializeList()
    {
        // As the endpoint does it: snapshots written straight into the response's pipe.
        var body = PipeWriter.Create(Stream.Null);
        using (var writer = new Utf8JsonWriter(body))
        {
            ProcResponseWriter.Write(writer, _list.GetAll(), DateTimeOffset.UnixEpoch);
        }

        await body.FlushAsync();
    }
}

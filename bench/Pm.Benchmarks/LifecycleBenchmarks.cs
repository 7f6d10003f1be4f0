using System.Collections.Concurrent;
using System.Diagnostics;
using BenchmarkDotNet.Attributes;

namespace Pm.Benchmarks;

/// <summary>One task lifecycle: start with 2 attributes, 3 status changes, done; against two baselines.</summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class LifecycleBenchmarks
{
    private readonly ConcurrentDictionary<string, object> _dictionary = new();
    private readonly object _item = new();
    private readonly ActivitySource _source = new("Pm.Benchmarks");
    private readonly TimeProvider _clock = TimeProvider.System;
    private ProcessList _list = null!;
    private ProcessList _frozenClockList = null!;
    private ActivityListener _listener = null!;

    [GlobalSetup]
    public void Setup()
    {
        _list = new ProcessList();
        _frozenClockList = new ProcessList(new ProcessListOptions { TimeProvider = new FrozenClock() });
        _listener = new ActivityListener
        {
            ShouldListenTo = s => s == _source,
            Sample = (ref _) => ActivitySamplingResult.AllData,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _listener.Dispose();
        _list.Dispose();
        _frozenClockList.Dispose();
    }

    [Benchmark(Description = "Pm: start + 2 attrs + 3 status + done")]
    public void PmLifecycle() => Workloads.Lifecycle(_list, "req77");

    [Benchmark(Description = "Pm, same lifecycle with a clock that costs nothing")]
    public void PmLifecycleFrozenClock() => Workloads.Lifecycle(_frozenClockList, "req77");

    [Benchmark(Description = "TimeProvider.System.GetUtcNow (5 per lifecycle)")]
    public long ClockRead() => _clock.GetUtcNow().UtcTicks;

    [Benchmark(Baseline = true, Description = "ConcurrentDictionary add + remove")]
    public void DictionaryFloor()
    {
        _dictionary.TryAdd("req77", _item);
        _dictionary.TryRemove("req77", out _);
    }

    [Benchmark(Description = "Activity: start + 2 tags + 3 events + stop")]
    public void ActivityLifecycle()
    {
        using var activity = _source.StartActivity("req77");
        activity!.SetTag("method", "GET");
        activity.SetTag("uri", "/api/items/77");
        activity.AddEvent(new ActivityEvent("parsing"));
        activity.AddEvent(new ActivityEvent("querying"));
        activity.AddEvent(new ActivityEvent("rendering"));
    }
}

/// <summary>A clock that always reads the same instant, to show what the tracker costs beyond reading the time.</summary>
internal sealed class FrozenClock : TimeProvider
{
    private readonly DateTimeOffset _now = new(2026, 11, 23, 0, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => _now;
}

using BenchmarkDotNet.Attributes;

namespace Pm.Benchmarks;

/// <summary>One pass of the watchdog over many running tasks: young ones, and ones already reported slow.</summary>
/// <remarks>The list's own timer is set to an hour so that only the measured passes run.</remarks>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class WatchdogBenchmarks
{
    private readonly List<TrackedTask> _due = [];
    private readonly List<TrackedTask> _tasks = [];
    private ProcessList _list = null!;

    [Params(10_000, 100_000)]
    public int Tasks { get; set; }

    /// <summary>Whether every task already crossed its slow threshold, so each pass checks the hung one.</summary>
    [Params(false, true)]
    public bool AlreadySlow { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var clock = new SettableClock();
        _list = new ProcessList(new ProcessListOptions { TimeProvider = clock, WatchdogInterval = TimeSpan.FromHours(1) });
        for (var i = 0; i < Tasks; i++)
        {
            _tasks.Add(_list.Start("task-" + i, [new("method", "GET"), new("uri", "/items/" + i)]));
        }

        // Eleven seconds on, one pass reports every task slow; the measured passes then look for hung ones.
        if (AlreadySlow)
        {
            clock.Now += TimeSpan.FromSeconds(11);
            Pass();
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var task in _tasks)
        {
            task.Dispose();
        }

        _list.Dispose();
    }

    [Benchmark(Description = "watchdog pass over the running tasks")]
    public int Pass()
    {
        _list.CheckOverdue(_due);
        var found = _due.Count;
        _due.Clear();
        return found;
    }
}

/// <summary>A clock that reads what it is set to.</summary>
internal sealed class SettableClock : TimeProvider
{
    public DateTimeOffset Now { get; set; } = new(2026, 11, 23, 0, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => Now;
}

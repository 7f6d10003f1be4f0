using Pm.Protocol;

namespace Pm.Cli;

/// <summary>One row of a task's timeline: an own status from when it was set, or a call to a dependency from when it started.</summary>
/// <param name="Start">When the status was set, or when the call started (its entry's time, which is its end, minus its duration).</param>
/// <param name="Status">The entry's text.</param>
/// <param name="Kind">The call's kind, such as <c>http</c>; <see langword="null"/> for an own status.</param>
/// <param name="Target">The dependency the call went to, when known.</param>
/// <param name="Spent">
/// For an own status, the time until the task's next own status (or its end, or now); for a call, its duration;
/// <see langword="null"/> for a finished task's final entry.
/// </param>
/// <param name="SoFar">Whether <paramref name="Spent"/> is still growing: the latest own status of a running task.</param>
internal sealed record TimelineRow(DateTimeOffset Start, string Status, string? Kind, string? Target, TimeSpan? Spent, bool SoFar)
{
    /// <summary>The kind of the entries that report progress rather than a call's end.</summary>
    public const string ProgressKind = "progress";

    public bool IsCall => Kind is not null and not ProgressKind;

    public bool IsProgress => Kind == ProgressKind;
}

/// <summary>The time a task spent in one of its own statuses, summed over every time it was set.</summary>
internal sealed record StatusTime(string Status, TimeSpan Total);

/// <summary>The calls of one kind, or to one dependency: how many, their summed duration and the longest one.</summary>
internal sealed record CallGroup(string Kind, string? Target, int Calls, TimeSpan Total, TimeSpan Longest);

/// <summary>
/// A task's history, rolled up. Own statuses (entries without a kind) last until the next own status: the end
/// entries of calls do not cut them, since the task is still in that status while it waits on its calls. A call's
/// entry is recorded at its end and carries its duration, so it spans [time − duration, time]. Calls can overlap each
/// other and the own statuses, so call times can add up to more than the task's total.
/// </summary>
internal sealed class HistoryRollup
{
    private const double MaxCallSeconds = 10 * 365 * 86_400.0;

    private HistoryRollup(TimeSpan total, List<TimelineRow> timeline, List<StatusTime> perStatus, List<CallGroup> perKind, List<CallGroup> perDependency, TimeSpan inCalls)
    {
        Total = total;
        Timeline = timeline;
        PerStatus = perStatus;
        PerKind = perKind;
        PerDependency = perDependency;
        InCalls = inCalls;
    }

    /// <summary>Gets the task's wall time: from its first entry to its end, or to the server's time while it runs.</summary>
    public TimeSpan Total { get; }

    /// <summary>Gets the rows in the order they began; ties keep the history's order.</summary>
    public IReadOnlyList<TimelineRow> Timeline { get; }

    /// <summary>Gets the time per own status, longest first.</summary>
    public IReadOnlyList<StatusTime> PerStatus { get; }

    /// <summary>Gets the calls grouped by kind, longest total first; <see cref="CallGroup.Target"/> is <see langword="null"/>.</summary>
    public IReadOnlyList<CallGroup> PerKind { get; }

    /// <summary>Gets the calls grouped by kind and target, longest total first.</summary>
    public IReadOnlyList<CallGroup> PerDependency { get; }

    /// <summary>Gets the wall time during which at least one call was in flight, within the task's span.</summary>
    public TimeSpan InCalls { get; }

    public bool HasCalls => PerKind.Count > 0;

    /// <summary>Gets the progress reports, in time order.</summary>
    public IEnumerable<TimelineRow> Progress => Timeline.Where(r => r.IsProgress);

    /// <summary>Gets the summed duration of every call, which concurrency can make longer than <see cref="Total"/>.</summary>
    public TimeSpan CallTotal => PerKind.Aggregate(TimeSpan.Zero, (sum, group) => sum + group.Total);

    public static HistoryRollup Of(HistoryResponse history)
    {
        ArgumentNullException.ThrowIfNull(history);
        var entries = history.History;
        var end = history.EndTime ?? history.ServerTime;
        var first = entries.Count > 0 ? entries[0].Ts : end;

        // When each entry's own status gives way: at the next own entry, or at the end.
        var nextOwn = new DateTimeOffset[entries.Count];
        var lastOwn = -1;
        var following = end;
        for (var i = entries.Count - 1; i >= 0; i--)
        {
            nextOwn[i] = following;
            if (entries[i].Kind is null)
            {
                following = entries[i].Ts;
                lastOwn = lastOwn < 0 ? i : lastOwn;
            }
        }

        var rows = new List<TimelineRow>(entries.Count);
        var perStatus = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
        var spans = new List<(DateTimeOffset Start, DateTimeOffset End)>();
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            if (entry.Kind == TimelineRow.ProgressKind)
            {
                rows.Add(new TimelineRow(entry.Ts, entry.Status, entry.Kind, null, null, false));
                continue;
            }

            if (entry.Kind is { } kind)
            {
                var duration = Seconds(entry.Duration);
                rows.Add(new TimelineRow(entry.Ts - duration, entry.Status, kind, entry.Target, duration, false));
                spans.Add((entry.Ts - duration, entry.Ts));
                continue;
            }

            if (i == lastOwn && history.Outcome is not null)
            {
                rows.Add(new TimelineRow(entry.Ts, entry.Status, null, null, null, false));
                continue;
            }

            var spent = Max(nextOwn[i] - entry.Ts, TimeSpan.Zero);
            rows.Add(new TimelineRow(entry.Ts, entry.Status, null, null, spent, i == lastOwn));
            perStatus[entry.Status] = perStatus.GetValueOrDefault(entry.Status) + spent;
        }

        var calls = rows.Where(r => r.IsCall).ToList();
        return new HistoryRollup(
            Max(end - first, TimeSpan.Zero),
            [.. rows.OrderBy(r => r.Start)],
            [.. perStatus.Select(p => new StatusTime(p.Key, p.Value)).OrderByDescending(s => s.Total)],
            Group(calls, r => (r.Kind!, (string?)null)),
            Group(calls, r => (r.Kind!, r.Target)),
            Union(spans, first, end));
    }

    private static List<CallGroup> Group(List<TimelineRow> calls, Func<TimelineRow, (string Kind, string? Target)> key) =>
    [
        .. calls.GroupBy(key)
            .Select(g => new CallGroup(g.Key.Kind, g.Key.Target, g.Count(), g.Aggregate(TimeSpan.Zero, (sum, r) => sum + r.Spent!.Value), g.Max(r => r.Spent!.Value)))
            .OrderByDescending(g => g.Total)
            .ThenBy(g => g.Kind, StringComparer.Ordinal)
            .ThenBy(g => g.Target, StringComparer.Ordinal),
    ];

    // The length of the union of the calls' spans, each clipped to the task's: overlapping calls count once.
    private static TimeSpan Union(List<(DateTimeOffset Start, DateTimeOffset End)> spans, DateTimeOffset first, DateTimeOffset end)
    {
        var covered = TimeSpan.Zero;
        var reach = first;
        foreach (var (start, stop) in spans.OrderBy(s => s.Start))
        {
            var from = start > reach ? start : reach;
            var to = stop < end ? stop : end;
            if (to > from)
            {
                covered += to - from;
                reach = to;
            }
        }

        return covered;
    }

    // A missing, negative or absurd duration counts as none rather than breaking the view.
    private static TimeSpan Seconds(double? seconds) =>
        seconds is { } s && double.IsFinite(s) && s > 0 && s < MaxCallSeconds ? TimeSpan.FromSeconds(s) : TimeSpan.Zero;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}

using System.Globalization;
using System.Text;

namespace Pm.Internal;

/// <summary>Tells where a running task's time went, for the log lines of slow, hung and overdue tasks.</summary>
/// <remarks>
/// An own status lasts until the next own status; the time its calls cover is counted for the calls, not for it, so
/// a task that waited 9.8 s on a query reads "9.8 s in SQL …", not "9.8 s in init". Calls in flight count up to now.
/// Concurrent calls each count in full.
/// </remarks>
internal static class TimeBreakdown
{
    private const int MaxItems = 5;
    private const int MaxTextLength = 120;

    public static string Describe(long startTicks, ReadOnlySpan<StatusEntry> entries, ReadOnlySpan<CallRecord> inFlight, long nowTicks)
    {
        var own = new List<(long Start, long End, string Status)>();
        var calls = new List<(long Start, long End)>();
        var items = new Dictionary<string, (long Ticks, int Calls)>(StringComparer.Ordinal);
        var status = "init";
        var since = startTicks;
        foreach (var entry in entries)
        {
            if (entry.Call is null)
            {
                own.Add((since, entry.Ticks, status));
                status = entry.Status;
                since = entry.Ticks;
            }
            else if (!ReferenceEquals(entry.Call, CallRecord.Progress))
            {
                var call = entry.Call;
                calls.Add((entry.Ticks - call.DurationTicks, entry.Ticks));
                Add(items, call.Description, call.DurationTicks, 1);
            }
        }

        own.Add((since, nowTicks, status));
        foreach (var call in inFlight)
        {
            var ticks = Math.Max(0, nowTicks - call.StartTicks);
            calls.Add((call.StartTicks, nowTicks));
            Add(items, call.Description + " (in flight)", ticks, 1);
        }

        var covered = Union(calls);
        foreach (var (start, end, ownStatus) in own)
        {
            Add(items, ownStatus, Math.Max(0, end - start - Overlap(covered, start, end)), 0);
        }

        var ranked = items.Where(i => i.Value.Ticks >= TimeSpan.TicksPerMillisecond).OrderByDescending(i => i.Value.Ticks).ToList();
        if (ranked.Count == 0)
        {
            return "no time recorded";
        }

        var text = new StringBuilder();
        foreach (var (what, (ticks, count)) in ranked.Take(MaxItems))
        {
            text.Append(text.Length == 0 ? null : ", ").Append(Durations.Format(TimeSpan.FromTicks(ticks))).Append(" in ").Append(Shorten(what));
            if (count > 1)
            {
                text.Append(CultureInfo.InvariantCulture, $" ({count} calls)");
            }
        }

        if (ranked.Count > MaxItems)
        {
            text.Append(CultureInfo.InvariantCulture, $", and {ranked.Count - MaxItems} more");
        }

        return text.ToString();
    }

    private static void Add(Dictionary<string, (long Ticks, int Calls)> items, string key, long ticks, int calls)
    {
        var (total, count) = items.GetValueOrDefault(key);
        items[key] = (total + ticks, count + calls);
    }

    private static string Shorten(string text) => text.Length <= MaxTextLength ? text : string.Concat(text.AsSpan(0, MaxTextLength - 1), "…");

    // The spans merged where they overlap, in time order.
    private static List<(long Start, long End)> Union(List<(long Start, long End)> spans)
    {
        spans.Sort();
        var merged = new List<(long Start, long End)>();
        foreach (var (start, end) in spans)
        {
            if (merged.Count > 0 && start <= merged[^1].End)
            {
                merged[^1] = (merged[^1].Start, Math.Max(merged[^1].End, end));
            }
            else
            {
                merged.Add((start, end));
            }
        }

        return merged;
    }

    private static long Overlap(List<(long Start, long End)> covered, long start, long end)
    {
        long sum = 0;
        foreach (var (from, to) in covered)
        {
            sum += Math.Max(0, Math.Min(to, end) - Math.Max(from, start));
        }

        return sum;
    }
}

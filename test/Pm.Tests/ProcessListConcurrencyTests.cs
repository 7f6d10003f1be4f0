using System.Collections.Concurrent;

namespace Pm.Tests;

public sealed class ProcessListConcurrencyTests
{
    private const int Workers = 4;
    private const int LifecyclesPerWorker = 100_000;

    private static bool IsFinal(string status) => status is "ended" or "aborted" or "killed" || status.StartsWith("killed: ", StringComparison.Ordinal);

    private static void CheckHistory(TaskHistory history, ConcurrentBag<string> failures)
    {
        var finals = history.Entries.Count(e => IsFinal(e.Status));
        if (history.IsRunning ? finals != 0 : finals != 1 || !IsFinal(history.Entries[^1].Status))
        {
            failures.Add($"{history.Id}: final entries wrong in [{string.Join(", ", history.Entries.Select(e => e.Status))}]");
        }

        if (history.Entries[0].Status != "init")
        {
            failures.Add($"{history.Id}: does not start with init");
        }

        for (var i = 1; i < history.Entries.Length; i++)
        {
            if (history.Entries[i].Timestamp < history.Entries[i - 1].Timestamp)
            {
                failures.Add($"{history.Id}: history out of time order");
            }
        }
    }

    [Fact]
    public async Task Lifecycles_WithConcurrentKillsAndSnapshots_KeepInvariants()
    {
        using var list = new ProcessList(new ProcessListOptions { FinishedTaskLimit = 5_000 });
        var failures = new ConcurrentBag<string>();
        var anchors = Enumerable.Range(0, Workers).Select(w => list.Start($"anchor-{w}")).ToArray();
        var started = 0L;
        var killedSeen = 0L;
        var killsAccepted = 0L;
        var snapshots = 0L;
        using var stop = new CancellationTokenSource();

        var workers = Enumerable.Range(0, Workers).Select(w => Task.Run(() =>
        {
            // At least the set number of lifecycles, and on until the killer has hit running tasks often enough that
            // kills certainly interleaved with them (bounded, in case it never can).
            for (var i = 0; i < LifecyclesPerWorker || (Interlocked.Read(ref killsAccepted) < 100 && i < LifecyclesPerWorker * 20); i++)
            {
                var id = $"w{w}-{i % 64}";
                try
                {
                    list.Run(id, t =>
                    {
                        t.Status("one");
                        t.SetAttribute("i", i);
                        t.Status("two");
                        t.Status("three");
                    }, [new("worker", w)], i % 2 == 0 ? new TaskOptions { SuppressKillException = true } : null);
                }
                catch (TaskKilledException ex) when (ex.TaskId == id)
                {
                    Interlocked.Increment(ref killedSeen);
                }

                Interlocked.Increment(ref started);
            }
        })).ToArray();

        var killer = Task.Run(() =>
        {
            var random = new Random(7);
            while (!stop.IsCancellationRequested)
            {
                if (list.Kill($"w{random.Next(Workers)}-{random.Next(64)}", "stress") == KillResult.Requested)
                {
                    Interlocked.Increment(ref killsAccepted);
                }
            }
        });

        var observer = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                var all = list.GetAll();
                var ids = all.Select(s => s.Id).ToList();
                if (ids.Count != ids.Distinct().Count())
                {
                    failures.Add("a snapshot listed a task twice");
                }

                foreach (var anchor in anchors)
                {
                    if (!ids.Contains(anchor.Id))
                    {
                        failures.Add($"a snapshot lost {anchor.Id}");
                    }
                }

                foreach (var snapshot in all.Take(8))
                {
                    if (list.TryGetHistory(snapshot.Id, out var history))
                    {
                        CheckHistory(history, failures);
                    }
                }

                foreach (var history in list.GetFinished().Take(50))
                {
                    CheckHistory(history, failures);
                }

                Interlocked.Increment(ref snapshots);
            }
        });

        await Task.WhenAll(workers);
        await stop.CancelAsync();
        await Task.WhenAll(killer, observer);
        foreach (var anchor in anchors)
        {
            anchor.Dispose();
        }

        Assert.Empty(failures);
        Assert.True(started >= Workers * LifecyclesPerWorker);
        Assert.True(snapshots > 0);
        Assert.Empty(list.GetAll());
        Assert.Equal(0, list.Count);
        var finished = list.GetFinished();
        Assert.Equal(5_000, finished.Count);
        foreach (var history in finished)
        {
            CheckHistory(history, failures);
        }

        Assert.Empty(failures);
        Assert.True(killsAccepted >= 100, "the killer hit too few running tasks");
        Assert.True(killedSeen <= killsAccepted);
        Assert.Equal(finished.Count, finished.Select(h => h.EndTime).Zip(finished.Skip(1).Select(h => h.EndTime)).Count(p => p.First >= p.Second) + 1);
    }
}

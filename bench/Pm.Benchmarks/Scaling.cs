using System.Diagnostics;

namespace Pm.Benchmarks;

/// <summary>
/// Two-thread scaling measured in alternation: each round runs every workload on one thread and then on two, so a
/// drift in the machine's speed between rounds cancels out of each round's ratio.
/// </summary>
internal static class Scaling
{
    private const int Operations = 400_000;
    private const int Rounds = 31;

    public static void Run()
    {
        using var retaining = new ProcessList();
        using var notRetaining = new ProcessList(new ProcessListOptions { FinishedTaskLimit = 0 });
        var oneId = Workloads.Ids(retaining, 2, 1);
        var spread = Workloads.Ids(retaining, 2, 64);
        var shared = Workloads.Ids(retaining, 2, 1, sameStripe: true);
        (string Name, Action<int> Run)[] workloads =
        [
            ("Pm lifecycle, retained 1000, 1 id per thread", threads => Workloads.Lifecycles(retaining, oneId, threads, Operations)),
            ("Pm lifecycle, retained 1000, 64 ids per thread", threads => Workloads.Lifecycles(retaining, spread, threads, Operations)),
            ("Pm lifecycle, retained 0, 1 id per thread", threads => Workloads.Lifecycles(notRetaining, oneId, threads, Operations)),
            ("Pm lifecycle, retained 1000, both ids on 1 stripe", threads => Workloads.Lifecycles(retaining, shared, threads, Operations)),
            ("~250 ns of arithmetic, nothing shared", threads => Workloads.Arithmetic(threads, Operations)),
            ("the same arithmetic + a lifecycle's 240 B", threads => Workloads.Allocations(threads, Operations, withArithmetic: true)),
            ("240 B of allocation alone", threads => Workloads.Allocations(threads, Operations, withArithmetic: false)),
        ];

        var ratios = workloads.Select(_ => new List<double>()).ToArray();
        var oneThread = workloads.Select(_ => new List<double>()).ToArray();
        for (var round = -2; round < Rounds; round++)
        {
            for (var w = 0; w < workloads.Length; w++)
            {
                var one = Time(() => workloads[w].Run(1));
                var two = Time(() => workloads[w].Run(2));
                if (round >= 0)
                {
                    // Rounds before 0 warm up: the JIT's tiers and the GC's budgets settle.
                    ratios[w].Add(one / two);
                    oneThread[w].Add(one * 1e9 / Operations);
                }
            }
        }

        Console.WriteLine($"{Rounds} rounds of {Operations:N0} operations, one thread then two, per workload.");
        Console.WriteLine($"{"workload",-50} {"1 thread, median",17} {"2 threads vs 1: median",23} {"quartiles",14}");
        for (var w = 0; w < workloads.Length; w++)
        {
            var sorted = ratios[w].Order().ToArray();
            Console.WriteLine(
                $"{workloads[w].Name,-50} {Median(oneThread[w].Order().ToArray()),13:F0} ns {Median(sorted),22:F2}× {sorted[Rounds / 4],6:F2}–{sorted[Rounds * 3 / 4]:F2}");
        }
    }

    private static double Median(double[] sorted) => sorted[sorted.Length / 2];

    private static double Time(Action action)
    {
        var start = Stopwatch.GetTimestamp();
        action();
        return Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

}

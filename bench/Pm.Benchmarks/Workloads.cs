using System.Runtime.CompilerServices;

namespace Pm.Benchmarks;

/// <summary>The per-operation workloads the scaling measurements run on one and on two threads.</summary>
internal static class Workloads
{
    private static readonly KeyValuePair<string, object?>[] Attributes = [new("method", "GET"), new("uri", "/api/items/77")];

    /// <summary>The ids each thread cycles through.</summary>
    /// <param name="list">The list whose stripes the ids are placed on.</param>
    /// <param name="threads">The number of threads.</param>
    /// <param name="idsPerThread">
    /// One: each thread gets an id on a stripe of its own (ids hash differently in every process, so plain names
    /// would share a stripe one run in sixteen), the tracker's own scaling. More: plain names spread over every
    /// stripe, as real request ids are.
    /// </param>
    /// <param name="sameStripe">With one id per thread, put every thread's id on the same stripe instead: the worst case.</param>
    /// <returns>The ids of each thread.</returns>
    public static string[][] Ids(ProcessList list, int threads, int idsPerThread, bool sameStripe = false)
    {
        if (idsPerThread > 1)
        {
            return [.. Enumerable.Range(0, threads).Select(t => Enumerable.Range(0, idsPerThread).Select(i => $"req-{t}-{i}").ToArray())];
        }

        var taken = new HashSet<int>();
        var first = list.StripeIndexOf("req-0-0");
        return [.. Enumerable.Range(0, threads).Select(t => new[]
        {
            Enumerable.Range(0, int.MaxValue)
                .Select(i => $"req-{t}-{i}")
                .First(id => sameStripe ? list.StripeIndexOf(id) == first : taken.Add(list.StripeIndexOf(id))),
        })];
    }

    /// <summary>One task lifecycle, the work every Pm row measures: start with 2 attributes, 3 statuses, done.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Lifecycle(ProcessList list, string id)
    {
        using var task = list.Start(id, Attributes);
        task.Status("parsing");
        task.Status("querying");
        task.Status("rendering");
    }

    /// <summary>About 250 ns of arithmetic on registers: no memory, nothing shared. What the machine gives work that shares nothing.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static ulong Arithmetic(ulong seed)
    {
        var x = seed | 1;
        for (var i = 0; i < 100; i++)
        {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
        }

        return x;
    }

    /// <summary>The lifecycle's allocations alone: a 184-byte object and a 56-byte one, kept by nobody.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static (object, object) Allocation() => (new byte[160], new object[4]);

    /// <summary>Runs <paramref name="operations"/> lifecycles split over <paramref name="threads"/> threads, each cycling through its ids.</summary>
    public static void Lifecycles(ProcessList list, string[][] ids, int threads, int operations) => Split(threads, operations, (thread, count) =>
    {
        var mine = ids[thread];
        for (var i = 0; i < count; i++)
        {
            Lifecycle(list, mine[i & (mine.Length - 1)]);
        }
    });

    /// <summary>Runs <paramref name="operations"/> rounds of <see cref="Arithmetic(ulong)"/> split over <paramref name="threads"/> threads.</summary>
    public static void Arithmetic(int threads, int operations) => Split(threads, operations, (thread, count) =>
    {
        var x = (ulong)thread + 1;
        for (var i = 0; i < count; i++)
        {
            x = Arithmetic(x);
        }

        GC.KeepAlive(x);
    });

    /// <summary>Runs <paramref name="operations"/> calls of <see cref="Allocation()"/> split over <paramref name="threads"/> threads.</summary>
    /// <param name="threads">The number of threads.</param>
    /// <param name="operations">The number of calls in all.</param>
    /// <param name="withArithmetic">Whether each call also does <see cref="Arithmetic(ulong)"/>, as long as a lifecycle takes.</param>
    public static void Allocations(int threads, int operations, bool withArithmetic) => Split(threads, operations, (thread, count) =>
    {
        var x = (ulong)thread + 1;
        for (var i = 0; i < count; i++)
        {
            Allocation();
            if (withArithmetic)
            {
                x = Arithmetic(x);
            }
        }

        GC.KeepAlive(x);
    });

    private static void Split(int threads, int operations, Action<int, int> body)
    {
        var workers = new Thread[threads];
        for (var t = 0; t < threads; t++)
        {
            var thread = t;
            workers[t] = new Thread(() => body(thread, operations / threads));
            workers[t].Start();
        }

        foreach (var worker in workers)
        {
            worker.Join();
        }
    }
}

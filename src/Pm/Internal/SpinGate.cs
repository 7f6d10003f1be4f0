namespace Pm.Internal;

/// <summary>A tiny spin lock over an <see cref="int"/> field, for per-task critical sections that last nanoseconds.</summary>
/// <remarks>
/// A task is touched by its owner and, rarely, by a kill or a snapshot, so the gate is almost never contended;
/// an object lock would cost a header inflation or an allocation per task.
/// </remarks>
internal static class SpinGate
{
    public static void Enter(ref int gate)
    {
        if (Interlocked.CompareExchange(ref gate, 1, 0) != 0)
        {
            EnterContended(ref gate);
        }
    }

    public static void Exit(ref int gate) => Volatile.Write(ref gate, 0);

    private static void EnterContended(ref int gate)
    {
        var spinner = default(SpinWait);
        do
        {
            spinner.SpinOnce(sleep1Threshold: -1);
        }
        while (Interlocked.CompareExchange(ref gate, 1, 0) != 0);
    }
}

namespace Pm.Internal;

/// <summary>A tiny spin lock over an <see cref="int"/> field, for critical sections that last nanoseconds.</summary>
/// <remarks>
/// A task's gate is touched by its owner and, rarely, by a kill or a snapshot; a stripe's gate by the starts and ends
/// of the tasks hashed to it. Both are almost never contended, and an uncontended entry costs one compare-exchange,
/// where an object lock costs several times that.
/// </remarks>
internal static class SpinGate
{
    private const int BriefSpins = 64;
    private const int Yields = 192;

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
        // Waits by reading, so the holder keeps the line until it lets go, and in short pauses, since the holder
        // is out within nanoseconds unless it was preempted; only then does the waiter yield, and at last sleep,
        // so a holder waiting for a processor gets one.
        for (var spins = 0; ; spins++)
        {
            if (Volatile.Read(ref gate) == 0 && Interlocked.CompareExchange(ref gate, 1, 0) == 0)
            {
                return;
            }

            if (spins < BriefSpins)
            {
                Thread.SpinWait(1);
            }
            else if (spins < BriefSpins + Yields)
            {
                Thread.Yield();
            }
            else
            {
                Thread.Sleep(1);
            }
        }
    }
}

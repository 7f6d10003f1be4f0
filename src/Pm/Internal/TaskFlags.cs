namespace Pm.Internal;

/// <summary>Names the bits of a task's state word.</summary>
[Flags]
internal enum TaskFlags
{
    None = 0,
    ForbidKill = 1,
    SuppressKillException = 2,
    KillRequested = 4,
    Finished = 8,
    Killed = 16,
    Aborted = 32,
    AbortRequested = 64,
    Slow = 128,
    Hung = 256,
    KillRefusalReported = 512,
}

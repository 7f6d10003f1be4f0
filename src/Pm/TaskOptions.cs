namespace Pm;

/// <summary>Describes how a tracked task may be cancelled and how much history it keeps.</summary>
/// <remarks>
/// Options given to <see cref="ProcessList.Start"/> replace the list's <see cref="ProcessList.TaskOptions"/> as a whole;
/// either way they are read once, when the task starts. Instances are immutable and can be shared freely.
/// </remarks>
public sealed record TaskOptions
{
    /// <summary>The default number of history entries a task keeps.</summary>
    public const int DefaultHistoryLimit = 1000;

    private readonly int _historyLimit = DefaultHistoryLimit;

    /// <summary>Gets the options a list starts with: cancellable, kills not suppressed, 1,000 history entries.</summary>
    public static TaskOptions Default { get; } = new();

    /// <summary>Gets a value indicating whether kill requests are refused.</summary>
    /// <remarks>The default value is <see langword="false"/>. A refused kill changes nothing and reports <see cref="KillResult.Forbidden"/>.</remarks>
    public bool ForbidKill { get; init; }

    /// <summary>Gets a value indicating whether the task runners swallow the task's own kill and report the task as killed.</summary>
    /// <remarks>
    /// The counterpart of the Go package's <c>StopCancelPanic</c>. The default value is <see langword="false"/>:
    /// <see cref="ProcessList.Run"/> and <see cref="ProcessList.RunAsync"/> record the outcome and rethrow.
    /// Only what ends the task killed is swallowed — an <see cref="OperationCanceledException"/> after a kill of this
    /// very task, whatever token it carries; any other exception propagates.
    /// </remarks>
    public bool SuppressKillException { get; init; }

    /// <summary>Gets the maximum number of history entries the task keeps.</summary>
    /// <remarks>
    /// The default value is 1,000. When a new entry would exceed it, the oldest entry after the first (<c>init</c>) is
    /// dropped and counted in <see cref="TaskHistory.DroppedEntries"/>.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 2.</exception>
    public int HistoryLimit
    {
        get => _historyLimit;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 2);
            _historyLimit = value;
        }
    }
}

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

    /// <summary>The default age at which a running task is reported slow: 10 seconds.</summary>
    public static readonly TimeSpan DefaultSlowAfter = TimeSpan.FromSeconds(10);

    /// <summary>The default age at which a running task is reported hung: 5 minutes.</summary>
    public static readonly TimeSpan DefaultHungAfter = TimeSpan.FromMinutes(5);

    private readonly int _historyLimit = DefaultHistoryLimit;
    private readonly TimeSpan? _slowAfter = DefaultSlowAfter;
    private readonly TimeSpan? _hungAfter = DefaultHungAfter;
    private readonly TimeSpan? _deadline;

    /// <summary>Gets the options a list starts with: cancellable, kills not suppressed, 1,000 history entries, slow after 10 s, hung after 5 min, no deadline.</summary>
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

    /// <summary>Gets the age at which the task is reported slow: logged once as a warning, counted, and flagged in listings.</summary>
    /// <remarks>
    /// The default value is <see cref="DefaultSlowAfter"/> (10 seconds); <see langword="null"/> never reports it. The list's
    /// watchdog checks running tasks every <see cref="ProcessListOptions.WatchdogInterval"/>, so a task is reported within
    /// that interval after crossing the threshold.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public TimeSpan? SlowAfter
    {
        get => _slowAfter;
        init => _slowAfter = Positive(value);
    }

    /// <summary>Gets the age at which the task is reported hung: logged once as an error, counted, and flagged in listings.</summary>
    /// <remarks>The default value is <see cref="DefaultHungAfter"/> (5 minutes); <see langword="null"/> never reports it.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public TimeSpan? HungAfter
    {
        get => _hungAfter;
        init => _hungAfter = Positive(value);
    }

    /// <summary>Gets how long the task may run before it is killed with the message <c>deadline exceeded</c>.</summary>
    /// <remarks>
    /// The default value is <see langword="null"/>: no deadline. The kill is an ordinary one — recorded in the history,
    /// logged, counted, refused if <see cref="ForbidKill"/> is set — made by a timer of the list's
    /// <see cref="ProcessListOptions.TimeProvider"/> at the deadline itself. <see cref="TrackedTask.SetDeadline"/>
    /// moves or removes it while the task runs.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public TimeSpan? Deadline
    {
        get => _deadline;
        init => _deadline = Positive(value);
    }

    private static TimeSpan? Positive(TimeSpan? value)
    {
        if (value is { } span)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(span, TimeSpan.Zero, nameof(value));
        }

        return value;
    }
}

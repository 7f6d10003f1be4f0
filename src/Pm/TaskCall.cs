using Pm.Internal;

namespace Pm;

/// <summary>A call a task is making to a dependency, from <see cref="TrackedTask.BeginCall"/> until it ends.</summary>
/// <remarks>
/// While the call is in flight the task's listed status names it; <see cref="End"/> (or <see cref="Dispose"/>) records
/// a history entry with its result and duration and gives the task back its own status. Ending twice does nothing.
/// The default value tracks nothing: <see cref="TrackedTask.BeginCall"/> returns it once the task has finished.
/// </remarks>
public readonly struct TaskCall : IDisposable, IEquatable<TaskCall>
{
    private readonly TrackedTask? _task;
    private readonly CallRecord? _record;

    internal TaskCall(TrackedTask task, CallRecord record)
    {
        _task = task;
        _record = record;
    }

    /// <summary>Gets the task making the call, or <see langword="null"/> for a call that is not tracked.</summary>
    public TrackedTask? Task => _task;

    internal CallRecord? Record => _record;

    /// <summary>Ends the call, recording its result.</summary>
    /// <param name="result">What it came to, such as <c>200</c> or <c>3 rows</c>; <see langword="null"/> if nothing is to be said.</param>
    public void End(string? result = null) => _task?.EndCall(_record!, result);

    /// <summary>Ends the call as failed with <paramref name="exception"/>.</summary>
    /// <param name="exception">What the call threw.</param>
    /// <remarks>
    /// The entry's result is <c>killed</c> if the task's kill stopped the call (through its kill hook or its token),
    /// otherwise <c>failed: </c> and the exception's type. If the kill hook stopped it, the task's outcome is
    /// <see cref="TaskOutcome.Killed"/> when <paramref name="exception"/>, or one wrapping it, ends the task, even though
    /// it is not an <see cref="OperationCanceledException"/> (a database's "statement cancelled" error, say).
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="exception"/> is <see langword="null"/>.</exception>
    public void Fail(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        _task?.EndCall(_record!, null, exception);
    }

    /// <summary>Ends the call with no result unless it has already ended.</summary>
    public void Dispose() => End();

    /// <inheritdoc />
    public bool Equals(TaskCall other) => ReferenceEquals(_record, other._record);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is TaskCall other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => _record?.GetHashCode() ?? 0;

    /// <summary>Tells whether two values stand for the same call.</summary>
    /// <param name="left">The first value.</param>
    /// <param name="right">The second value.</param>
    /// <returns><see langword="true"/> if both stand for the same call, or both for none.</returns>
    public static bool operator ==(TaskCall left, TaskCall right) => left.Equals(right);

    /// <summary>Tells whether two values stand for different calls.</summary>
    /// <param name="left">The first value.</param>
    /// <param name="right">The second value.</param>
    /// <returns><see langword="true"/> unless both stand for the same call, or both for none.</returns>
    public static bool operator !=(TaskCall left, TaskCall right) => !left.Equals(right);
}

namespace Pm;

public sealed partial class ProcessList
{
    /// <summary>Runs <paramref name="body"/> as a tracked task and records its outcome from how it ended.</summary>
    /// <param name="id">The task's id, unique among running tasks.</param>
    /// <param name="body">The work; it receives the task's handle.</param>
    /// <param name="attributes">The task's initial attributes.</param>
    /// <param name="options">The task's options, replacing <see cref="TaskOptions"/>.</param>
    /// <param name="cancellationToken">A token linked to the task's token; see <see cref="Start"/>.</param>
    /// <remarks>
    /// A normal return ends the task with <c>ended</c>; the task's own kill cancellation with <c>killed</c>; any other
    /// exception with <c>aborted</c>. Exceptions propagate, except the task's own kill cancellation when the task's
    /// options set <see cref="TaskOptions.SuppressKillException"/>.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="body"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="id"/> or an attribute name is <see langword="null"/> or empty.</exception>
    /// <exception cref="DuplicateTaskIdException">A task with the same id is running.</exception>
    /// <exception cref="ObjectDisposedException">The list was disposed.</exception>
    public void Run(
        string id,
        Action<TrackedTask> body,
        ReadOnlySpan<KeyValuePair<string, object?>> attributes = default,
        TaskOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        var task = Start(id, attributes, options, cancellationToken);
        try
        {
            body(task);
        }
        catch (Exception ex) when (EndsSuppressed(task, ex))
        {
            return;
        }

        task.Done();
    }

    /// <summary>Runs asynchronous <paramref name="body"/> as a tracked task and records its outcome from how it ended.</summary>
    /// <param name="id">The task's id, unique among running tasks.</param>
    /// <param name="body">The work; it receives the task's handle, whose token a kill cancels.</param>
    /// <param name="attributes">The task's initial attributes.</param>
    /// <param name="options">The task's options, replacing <see cref="TaskOptions"/>.</param>
    /// <param name="cancellationToken">A token linked to the task's token; see <see cref="Start"/>.</param>
    /// <returns>A task that completes when the body has completed and the outcome is recorded.</returns>
    /// <remarks>Outcomes and exceptions are as for <see cref="Run"/>.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="body"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="id"/> or an attribute name is <see langword="null"/> or empty.</exception>
    /// <exception cref="DuplicateTaskIdException">A task with the same id is running.</exception>
    /// <exception cref="ObjectDisposedException">The list was disposed.</exception>
    public Task RunAsync(
        string id,
        Func<TrackedTask, Task> body,
        ReadOnlySpan<KeyValuePair<string, object?>> attributes = default,
        TaskOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        return RunCoreAsync(StartCore(id, attributes, options, cancellationToken), body);
    }

    private static async Task RunCoreAsync(TrackedTask task, Func<TrackedTask, Task> body)
    {
        // Made current here, inside the async method, so the task is current for the body and never for the caller.
        task.MakeCurrent();
        try
        {
            await body(task).ConfigureAwait(false);
        }
        catch (Exception ex) when (EndsSuppressed(task, ex))
        {
            return;
        }

        task.Done();
    }

    // Runs as an exception filter: the task is ended before any outer handler or finally block runs, and the
    // exception is caught only when it ended the task killed and the task suppresses that.
    private static bool EndsSuppressed(TrackedTask task, Exception exception) =>
        task.Finish(exception, abandoned: false) == TaskOutcome.Killed && task.SuppressesKillException;
}

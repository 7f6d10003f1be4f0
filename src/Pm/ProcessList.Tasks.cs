namespace Pm;

public sealed partial class ProcessList
{
    /// <summary>Records a new status for a running task and then, if a kill was requested, raises the cancellation.</summary>
    /// <param name="id">The task's id; an id that is not running is ignored.</param>
    /// <param name="status">The status text.</param>
    /// <exception cref="ArgumentException"><paramref name="id"/> is <see langword="null"/> or empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="status"/> is <see langword="null"/>.</exception>
    /// <exception cref="TaskKilledException">A kill of the task was requested.</exception>
    /// <exception cref="ObjectDisposedException">The list was disposed.</exception>
    public void Status(string id, string status)
    {
        ArgumentNullException.ThrowIfNull(status);
        Find(id)?.Status(status);
    }

    /// <summary>Raises the cancellation if a kill of a running task was requested; records nothing.</summary>
    /// <param name="id">The task's id; an id that is not running is ignored.</param>
    /// <exception cref="ArgumentException"><paramref name="id"/> is <see langword="null"/> or empty.</exception>
    /// <exception cref="TaskKilledException">A kill of the task was requested.</exception>
    /// <exception cref="ObjectDisposedException">The list was disposed.</exception>
    public void ThrowIfKilled(string id) => Find(id)?.ThrowIfKilled();

    /// <summary>Sets an attribute of a running task.</summary>
    /// <param name="id">The task's id; an id that is not running is ignored.</param>
    /// <param name="name">The attribute's name.</param>
    /// <param name="value">The value; any object, reported as JSON.</param>
    /// <exception cref="ArgumentException"><paramref name="id"/> or <paramref name="name"/> is <see langword="null"/> or empty.</exception>
    /// <exception cref="ObjectDisposedException">The list was disposed.</exception>
    public void SetAttribute(string id, string name, object? value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Find(id)?.SetAttribute(name, value);
    }

    /// <summary>Removes an attribute of a running task.</summary>
    /// <param name="id">The task's id; an id that is not running is ignored.</param>
    /// <param name="name">The attribute's name.</param>
    /// <exception cref="ArgumentException"><paramref name="id"/> or <paramref name="name"/> is <see langword="null"/> or empty.</exception>
    /// <exception cref="ObjectDisposedException">The list was disposed.</exception>
    public void RemoveAttribute(string id, string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Find(id)?.RemoveAttribute(name);
    }

    /// <summary>Ends a running task, recording its outcome from <paramref name="exception"/>.</summary>
    /// <param name="id">The task's id; an id that is not running is ignored.</param>
    /// <param name="exception"><see langword="null"/> for a normal end; otherwise the exception that ended the task.</param>
    /// <returns><see langword="true"/> if this call ended a task.</returns>
    /// <exception cref="ArgumentException"><paramref name="id"/> is <see langword="null"/> or empty.</exception>
    /// <exception cref="ObjectDisposedException">The list was disposed.</exception>
    public bool Done(string id, Exception? exception = null) => Find(id)?.Done(exception) ?? false;

    /// <summary>Requests the cancellation of a running task.</summary>
    /// <param name="id">The task's id.</param>
    /// <param name="message">The message for the history and the cancellation; may be <see langword="null"/>.</param>
    /// <returns>What the request did.</returns>
    /// <exception cref="ArgumentException"><paramref name="id"/> is <see langword="null"/> or empty.</exception>
    /// <exception cref="ObjectDisposedException">The list was disposed.</exception>
    public KillResult Kill(string id, string? message = null) => Kill(id, new KillRequest(message));

    /// <summary>Requests the cancellation of a running task, recording who asked.</summary>
    /// <param name="id">The task's id.</param>
    /// <param name="request">The message and the requester, kept in the task's history.</param>
    /// <returns>
    /// <see cref="KillResult.Requested"/> once the kill is requested (later requests change nothing),
    /// <see cref="KillResult.NotFound"/> or <see cref="KillResult.Forbidden"/>.
    /// </returns>
    /// <remarks>
    /// The first accepted request adds <c>[cancel request: message]</c> to the history and cancels the task's
    /// <see cref="TrackedTask.CancellationToken"/> before this method returns; the token's callbacks run outside the
    /// tracker's locks, and one that throws does not fail the kill.
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="id"/> is <see langword="null"/> or empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="request"/> is <see langword="null"/>.</exception>
    /// <exception cref="ObjectDisposedException">The list was disposed.</exception>
    public KillResult Kill(string id, KillRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var task = Find(id);
        var result = task?.RequestKill(request) ?? KillResult.NotFound;
        _metrics.KillRequested(result);
        if (result == KillResult.Forbidden)
        {
            OnKillRefused(task!, request);
        }

        return result;
    }
}

namespace Pm;

/// <summary>The exception a cancellation point throws once a kill of its task was requested.</summary>
/// <remarks>
/// It is an <see cref="OperationCanceledException"/> that carries the task's <see cref="TrackedTask.CancellationToken"/>,
/// so ordinary .NET code treats it as cancellation. Its message is <c>killed</c> or <c>killed: message</c>.
/// </remarks>
public sealed class TaskKilledException : OperationCanceledException
{
    /// <summary>Initializes a new instance of the <see cref="TaskKilledException"/> class.</summary>
    public TaskKilledException()
        : base("killed")
    {
        TaskId = string.Empty;
    }

    /// <summary>Initializes a new instance of the <see cref="TaskKilledException"/> class with a message.</summary>
    /// <param name="message">The message.</param>
    public TaskKilledException(string? message)
        : base(message)
    {
        TaskId = string.Empty;
    }

    /// <summary>Initializes a new instance of the <see cref="TaskKilledException"/> class with a message and an inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public TaskKilledException(string? message, Exception? innerException)
        : base(message, innerException)
    {
        TaskId = string.Empty;
    }

    internal TaskKilledException(TrackedTask task, string? killMessage, CancellationToken token)
        : base(string.IsNullOrEmpty(killMessage) ? "killed" : "killed: " + killMessage, token)
    {
        Task = task;
        TaskId = task.Id;
        KillMessage = killMessage;
    }

    /// <summary>Gets the id of the killed task.</summary>
    public string TaskId { get; }

    /// <summary>Gets the message of the kill request, if it had one.</summary>
    public string? KillMessage { get; }

    internal TrackedTask? Task { get; }
}

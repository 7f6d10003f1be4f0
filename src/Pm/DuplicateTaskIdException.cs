namespace Pm;

/// <summary>The exception thrown when a task is started with the id of a task that is still running.</summary>
/// <remarks>The running task is left untouched.</remarks>
public sealed class DuplicateTaskIdException : InvalidOperationException
{
    /// <summary>Initializes a new instance of the <see cref="DuplicateTaskIdException"/> class.</summary>
    public DuplicateTaskIdException()
        : base("A task with the same id is already running.")
    {
        TaskId = string.Empty;
    }

    /// <summary>Initializes a new instance of the <see cref="DuplicateTaskIdException"/> class with a message.</summary>
    /// <param name="message">The message.</param>
    public DuplicateTaskIdException(string? message)
        : base(message)
    {
        TaskId = string.Empty;
    }

    /// <summary>Initializes a new instance of the <see cref="DuplicateTaskIdException"/> class with a message and an inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public DuplicateTaskIdException(string? message, Exception? innerException)
        : base(message, innerException)
    {
        TaskId = string.Empty;
    }

    /// <summary>Gets the id that is already in use.</summary>
    public string TaskId { get; private init; }

    internal static DuplicateTaskIdException Create(string taskId) =>
        new($"A task with id '{taskId}' is already running; ids must be unique among running tasks.") { TaskId = taskId };
}

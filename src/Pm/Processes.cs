namespace Pm;

/// <summary>Provides the Go package's functions over <see cref="ProcessList.Default"/>.</summary>
/// <remarks>Every member only delegates to <see cref="ProcessList.Default"/>; see there for behaviour and exceptions.</remarks>
/// <example>
/// <code>
/// using var task = Processes.Start(requestId, [new("method", "GET"), new("uri", "/items/7")]);
/// Processes.Status(requestId, "loading");
/// </code>
/// </example>
public static class Processes
{
    /// <summary>Sets the options of tasks started without options of their own.</summary>
    /// <param name="options">The options.</param>
    public static void SetOptions(TaskOptions options) => ProcessList.Default.TaskOptions = options;

    /// <summary>Starts tracking a task; see <see cref="ProcessList.Start"/>.</summary>
    /// <param name="id">The task's id.</param>
    /// <param name="attributes">The task's initial attributes.</param>
    /// <param name="options">The task's options.</param>
    /// <returns>The task's handle.</returns>
    public static TrackedTask Start(string id, ReadOnlySpan<KeyValuePair<string, object?>> attributes = default, TaskOptions? options = null) =>
        ProcessList.Default.Start(id, attributes, options);

    /// <summary>Records a new status; see <see cref="ProcessList.Status"/>.</summary>
    /// <param name="id">The task's id.</param>
    /// <param name="status">The status text.</param>
    public static void Status(string id, string status) => ProcessList.Default.Status(id, status);

    /// <summary>Raises the cancellation if a kill was requested; see <see cref="ProcessList.ThrowIfKilled"/>.</summary>
    /// <param name="id">The task's id.</param>
    public static void ThrowIfKilled(string id) => ProcessList.Default.ThrowIfKilled(id);

    /// <summary>Sets an attribute; see <see cref="ProcessList.SetAttribute"/>.</summary>
    /// <param name="id">The task's id.</param>
    /// <param name="name">The attribute's name.</param>
    /// <param name="value">The value.</param>
    public static void SetAttribute(string id, string name, object? value) => ProcessList.Default.SetAttribute(id, name, value);

    /// <summary>Removes an attribute; see <see cref="ProcessList.RemoveAttribute"/>.</summary>
    /// <param name="id">The task's id.</param>
    /// <param name="name">The attribute's name.</param>
    public static void RemoveAttribute(string id, string name) => ProcessList.Default.RemoveAttribute(id, name);

    /// <summary>Requests the cancellation of a task; see <see cref="ProcessList.Kill(string, string)"/>.</summary>
    /// <param name="id">The task's id.</param>
    /// <param name="message">The message.</param>
    /// <returns>What the request did.</returns>
    public static KillResult Kill(string id, string? message = null) => ProcessList.Default.Kill(id, message);

    /// <summary>Ends a task; see <see cref="ProcessList.Done"/>.</summary>
    /// <param name="id">The task's id.</param>
    /// <param name="exception">The exception that ended the task, if any.</param>
    /// <returns><see langword="true"/> if this call ended a task.</returns>
    public static bool Done(string id, Exception? exception = null) => ProcessList.Default.Done(id, exception);
}

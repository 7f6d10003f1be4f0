using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Pm.Internal;

/// <summary>The list's log lines, for the operators' audit trail: kills, their outcome, slow, hung and overdue tasks.</summary>
internal static partial class PmLog
{
    public const string Category = "Pm.ProcessList";

    private const int MaxSummaryLength = 200;

    [LoggerMessage(EventId = 1, EventName = "KillRequested", Level = LogLevel.Warning,
        Message = "Kill requested for task {TaskId} ({Task}) running for {Age}, by {Requester}: {KillMessage}")]
    public static partial void KillRequested(ILogger logger, string taskId, string task, string age, string requester, string killMessage);

    [LoggerMessage(EventId = 2, EventName = "AbortRequested", Level = LogLevel.Warning,
        Message = "Abort requested for task {TaskId} ({Task}) running for {Age}, by {Requester}: {KillMessage}")]
    public static partial void AbortRequested(ILogger logger, string taskId, string task, string age, string requester, string killMessage);

    [LoggerMessage(EventId = 3, EventName = "KillRefused", Level = LogLevel.Information,
        Message = "Kill of task {TaskId} ({Task}) refused: the task forbids kills; requested by {Requester}: {KillMessage}; later refusals of this task are not logged")]
    public static partial void KillRefused(ILogger logger, string taskId, string task, string requester, string killMessage);

    [LoggerMessage(EventId = 4, EventName = "KillOutcome", Level = LogLevel.Warning,
        Message = "Task {TaskId} ({Task}) ended {Outcome} {TimeToHonour} after the kill request")]
    public static partial void KillOutcome(ILogger logger, string taskId, string task, string outcome, string timeToHonour);

    [LoggerMessage(EventId = 5, EventName = "TaskSlow", Level = LogLevel.Warning,
        Message = "Task {TaskId} ({Task}) is slow: running for {Age}; {Breakdown}")]
    public static partial void TaskSlow(ILogger logger, string taskId, string task, string age, string breakdown);

    [LoggerMessage(EventId = 6, EventName = "TaskHung", Level = LogLevel.Error,
        Message = "Task {TaskId} ({Task}) is hung: running for {Age}; {Breakdown}")]
    public static partial void TaskHung(ILogger logger, string taskId, string task, string age, string breakdown);

    [LoggerMessage(EventId = 7, EventName = "DeadlineExceeded", Level = LogLevel.Warning,
        Message = "Task {TaskId} ({Task}) exceeded its deadline after {Age} and is killed; {Breakdown}")]
    public static partial void DeadlineExceeded(ILogger logger, string taskId, string task, string age, string breakdown);

    [LoggerMessage(EventId = 8, EventName = "DeadlineRefused", Level = LogLevel.Warning,
        Message = "Task {TaskId} ({Task}) exceeded its deadline after {Age} but forbids kills; {Breakdown}")]
    public static partial void DeadlineRefused(ILogger logger, string taskId, string task, string age, string breakdown);

    /// <summary>Names a task by its main attributes: <c>GET /orders/7</c> for a request, else its first attributes.</summary>
    public static string Summary(ReadOnlySpan<KeyValuePair<string, object?>> attributes)
    {
        string? method = null, uri = null;
        foreach (var (name, value) in attributes)
        {
            if (name == "method")
            {
                method = value as string;
            }
            else if (name == "uri")
            {
                uri = value as string;
            }
        }

        if (method is not null && uri is not null)
        {
            return Shorten(method + " " + uri);
        }

        if (attributes.IsEmpty)
        {
            return "no attributes";
        }

        var parts = new List<string>();
        foreach (var (name, value) in attributes[..Math.Min(3, attributes.Length)])
        {
            parts.Add(name + "=" + Convert.ToString(value, CultureInfo.InvariantCulture));
        }

        return Shorten(string.Join(' ', parts));
    }

    /// <summary>Names who asked for a kill: its remote address and user, or the program itself.</summary>
    public static string Requester(KillRequest request) => (request.RemoteAddress, request.User) switch
    {
        ({ Length: > 0 } remote, { Length: > 0 } user) => remote + " as " + user,
        ({ Length: > 0 } remote, _) => remote,
        (_, { Length: > 0 } user) => user,
        _ => "the program itself",
    };

    public static string Message(KillRequest request) => string.IsNullOrEmpty(request.Message) ? "(no message)" : request.Message;

    private static string Shorten(string text) => text.Length <= MaxSummaryLength ? text : string.Concat(text.AsSpan(0, MaxSummaryLength - 1), "…");
}

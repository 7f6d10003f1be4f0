using System.Collections.Immutable;

namespace Pm;

/// <summary>Represents a running task as it was at one instant.</summary>
/// <remarks>A snapshot is consistent for its task and never changes; it shares the task's immutable attribute array.</remarks>
public sealed record TaskSnapshot
{
    /// <summary>Gets the task's id.</summary>
    public required string Id { get; init; }

    /// <summary>Gets the task's attributes, in the order they were first set.</summary>
    public required ImmutableArray<KeyValuePair<string, object?>> Attributes { get; init; }

    /// <summary>Gets when the task started (its <c>init</c> entry).</summary>
    public required DateTimeOffset StartTime { get; init; }

    /// <summary>Gets the last status of the task.</summary>
    public required string Status { get; init; }

    /// <summary>Gets when the last status was set.</summary>
    public required DateTimeOffset StatusTime { get; init; }

    /// <summary>Gets a value indicating whether a kill was requested and the task has not ended yet.</summary>
    public required bool IsKillRequested { get; init; }

    /// <summary>Gets a value indicating whether the task refuses kill requests.</summary>
    public required bool ForbidKill { get; init; }

    /// <summary>Gets the W3C trace id of the activity that was current when the task started, if any.</summary>
    public string? TraceId { get; init; }

    /// <summary>Gets a value indicating whether the task ran past its <see cref="TaskOptions.SlowAfter"/> threshold (true for hung tasks too).</summary>
    public bool IsSlow { get; init; }

    /// <summary>Gets a value indicating whether the task ran past its <see cref="TaskOptions.HungAfter"/> threshold.</summary>
    public bool IsHung { get; init; }

    /// <summary>Gets the task's latest progress report, if it made one.</summary>
    public TaskProgress? Progress { get; init; }

    /// <summary>Gets when the task will be killed for exceeding its deadline, if it has one.</summary>
    public DateTimeOffset? Deadline { get; init; }
}

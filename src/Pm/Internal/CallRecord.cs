namespace Pm.Internal;

/// <summary>A call a task makes to a dependency: in flight, then, once ended, the history entry's details.</summary>
/// <remarks>
/// The fields are written once before the record is shared, except <see cref="Ended"/>, <see cref="OnKill"/> and
/// <see cref="State"/>, which change under the record's own lock, and <see cref="Result"/> and
/// <see cref="DurationTicks"/>, which are written under the task's gate before the record enters the history.
/// </remarks>
internal sealed class CallRecord(string kind, string? target, string description, long startTicks, Action<object?>? onKill, object? state)
{
    /// <summary>Marks a history entry as a progress report rather than a status or a call's end.</summary>
    public static readonly CallRecord Progress = new("progress", null, string.Empty, 0, null, null);

    public readonly string Kind = kind;
    public readonly string? Target = target;
    public readonly string Description = description;
    public readonly long StartTicks = startTicks;
    public Action<object?>? OnKill = onKill;
    public object? State = state;
    public bool Ended;
    public bool Killed;
    public string? Result;
    public long DurationTicks;

    /// <summary>Gets the entry's text: the description and, when known, the result.</summary>
    public string Text => Result is null ? Description : Description + " → " + Result;
}

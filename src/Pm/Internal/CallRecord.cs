namespace Pm.Internal;

/// <summary>A call a task makes to a dependency: in flight, then, once ended, the history entry's details.</summary>
/// <remarks>
/// The fields are written once before the record is shared, except <see cref="Ended"/>, <see cref="OnKill"/> and
/// <see cref="State"/>, which change under the record's own lock, and <see cref="Result"/> and
/// <see cref="DurationTicks"/>, which are written under the task's gate before the record enters the history, and
/// <see cref="Wait"/>, written under the task's gate while the call is in flight. Until the call ends,
/// <see cref="DurationTicks"/> holds the time it waited for a busy pool's connection, or -1 once it makes a connection
/// of its own: one field for both, so the record stays as small as before waits were seen.
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
    public long DurationTicks;

    // What the call waits on while in flight, its result once ended: never both, so one field holds either.
    private object? _waitOrResult;

    /// <summary>Gets or sets the call's result, once it has ended.</summary>
    public string? Result
    {
        get => _waitOrResult as string;
        set => _waitOrResult = value;
    }

    /// <summary>Gets or sets what the call waits on, while it is in flight.</summary>
    public CallWait? Wait
    {
        get => _waitOrResult as CallWait;
        set => _waitOrResult = value;
    }

    /// <summary>Gets the status while in flight: the description and, while it waits, what on.</summary>
    public string Status => Wait is { } wait ? string.Concat(Description, " (", wait.Shown.Text, ")") : Description;

    /// <summary>Gets the entry's text: the description and, when known, the result.</summary>
    public string Text => Result is null ? Description : Description + " → " + Result;
}

namespace Pm;

/// <summary>Configures what a <see cref="ProcessList"/> observes, with no code, of the calls its tasks make to dependencies.</summary>
/// <remarks>
/// A call is observed only inside a task (see <see cref="TrackedTask.Current"/>): while it is in flight the task's
/// status names it, its end is a history entry with its result and duration, and a kill of the task stops it.
/// Outside any task nothing is recorded. Values are read once, when the list is created.
/// </remarks>
public sealed class DependencyOptions
{
    private int _maxDescriptionLength = 200;

    /// <summary>Gets or sets a value indicating whether outgoing HTTP requests are observed and killed with their task.</summary>
    /// <remarks>
    /// The default value is <see langword="true"/>. Covers the clients of <c>IHttpClientFactory</c>, which a kill
    /// stops, and any other <see cref="HttpClient"/>, listed but not stopped.
    /// </remarks>
    public bool Http { get; set; } = true;

    /// <summary>Gets or sets a value indicating whether database commands are observed and cancelled in the database when their task is killed.</summary>
    /// <remarks>The default value is <see langword="true"/>. Covers EF Core with any provider, and SqlClient.</remarks>
    public bool Sql { get; set; } = true;

    /// <summary>Gets or sets a value indicating whether an HTTP request's description includes its query string.</summary>
    /// <remarks>The default value is <see langword="false"/>: query strings often carry keys and personal data.</remarks>
    public bool HttpQueryString { get; set; }

    /// <summary>Gets or sets the length at which a description (a statement's text, a URL) is cut, with <c>…</c>.</summary>
    /// <remarks>The default value is 200.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is below 16 or above 100,000.</exception>
    public int MaxDescriptionLength
    {
        get => _maxDescriptionLength;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 16);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 100_000);
            _maxDescriptionLength = value;
        }
    }

    /// <summary>Gets or sets a function applied to each description before it is recorded, to remove what must not be shown.</summary>
    /// <remarks>
    /// The default value is <see langword="null"/>. Statement parameters are never recorded, only the statement's
    /// text, so a literal written into the text is the one thing to redact.
    /// </remarks>
    public Func<string, string>? Redact { get; set; }

    internal DependencyOptions Copy() => (DependencyOptions)MemberwiseClone();

    /// <summary>Gives a description as recorded: redacted, then cut to the maximum length.</summary>
    internal string Describe(string description)
    {
        if (Redact is { } redact)
        {
            description = redact(description) ?? string.Empty;
        }

        return description.Length <= _maxDescriptionLength ? description : string.Concat(description.AsSpan(0, _maxDescriptionLength - 1), "…");
    }
}

namespace Pm.Client;

/// <summary>Filters, orders and limits a listing of running tasks; these are extensions that Go servers do not support.</summary>
public sealed record TaskQuery
{
    /// <summary>Gets the attributes a task must have, with these values (compared as text).</summary>
    public IReadOnlyDictionary<string, string>? Attributes { get; init; }

    /// <summary>Gets text the task's status must contain, ignoring case.</summary>
    public string? StatusContains { get; init; }

    /// <summary>Gets the minimum age of the tasks listed.</summary>
    public TimeSpan? MinAge { get; init; }

    /// <summary>Gets the sort key: <c>procTime</c>, <c>statusTime</c>, <c>id</c> or <c>status</c>, with a leading <c>-</c> for descending order.</summary>
    public string? Sort { get; init; }

    /// <summary>Gets the maximum number of tasks listed.</summary>
    public int? Limit { get; init; }

    internal bool IsEmpty => Attributes is not { Count: > 0 } && StatusContains is null && MinAge is null && Sort is null && Limit is null;

    internal string ToQueryString()
    {
        var parts = new List<string>();
        foreach (var (name, value) in Attributes ?? new Dictionary<string, string>())
        {
            parts.Add("attr." + Uri.EscapeDataString(name) + "=" + Uri.EscapeDataString(value));
        }

        if (StatusContains is not null)
        {
            parts.Add("status=" + Uri.EscapeDataString(StatusContains));
        }

        if (MinAge is { } age)
        {
            parts.Add("minAge=" + age.TotalSeconds.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
        }

        if (Sort is not null)
        {
            parts.Add("sort=" + Uri.EscapeDataString(Sort));
        }

        if (Limit is { } limit)
        {
            parts.Add("limit=" + limit.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return parts.Count == 0 ? string.Empty : "?" + string.Join('&', parts);
    }
}

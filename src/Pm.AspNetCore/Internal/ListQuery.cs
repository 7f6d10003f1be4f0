using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Pm.AspNetCore.Internal;

/// <summary>The filter, sort and limit extensions of <c>GET /procs/</c>.</summary>
internal sealed class ListQuery
{
    private const int MaxLimit = 1_000_000;

    private readonly List<KeyValuePair<string, string>> _attributes = [];
    private string? _status;
    private TimeSpan? _minAge;
    private string? _alert;
    private bool _descending;

    public string? Sort { get; private set; }

    public int? Limit { get; private set; }

    public bool Filters => _attributes.Count > 0 || _status is not null || _minAge is not null || _alert is not null;

    public static bool TryParse(IQueryCollection query, out ListQuery result, out string error)
    {
        result = new ListQuery();
        error = string.Empty;
        foreach (var (key, values) in query)
        {
            var value = values.ToString();
            if (key.StartsWith("attr.", StringComparison.Ordinal) && key.Length > 5)
            {
                result._attributes.Add(new(key[5..], value));
            }
            else if (key == "status")
            {
                result._status = value;
            }
            else if (key == "minAge")
            {
                if (!TryParseDuration(value, out var age))
                {
                    error = "minAge must be a duration such as 2.5, 2.5s, 300ms, 1m or 1h";
                    return false;
                }

                result._minAge = age;
            }
            else if (key == "alert")
            {
                if (value is not ("slow" or "hung"))
                {
                    error = "alert must be slow (slow and hung tasks) or hung";
                    return false;
                }

                result._alert = value;
            }
            else if (key == "sort")
            {
                result._descending = value.StartsWith('-');
                result.Sort = result._descending ? value[1..] : value;
                if (result.Sort is not ("procTime" or "statusTime" or "id" or "status"))
                {
                    error = "sort must be procTime, statusTime, id or status, with a leading '-' for descending order";
                    return false;
                }
            }
            else if (key == "limit")
            {
                if (!TryParseLimit(values, out var limit, out error))
                {
                    return false;
                }

                result.Limit = limit;
            }
        }

        return true;
    }

    public static bool TryParseLimit(Microsoft.Extensions.Primitives.StringValues values, out int? limit, out string error)
    {
        limit = null;
        error = string.Empty;
        if (values.Count == 0)
        {
            return true;
        }

        if (int.TryParse(values.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed is > 0 and <= MaxLimit)
        {
            limit = parsed;
            return true;
        }

        error = $"limit must be a whole number from 1 to {MaxLimit}";
        return false;
    }

    public bool Matches(TaskSnapshot task, DateTimeOffset now)
    {
        if (_status is not null && !task.Status.Contains(_status, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (_minAge is { } age && now - task.StartTime < age)
        {
            return false;
        }

        if (_alert is not null && !(_alert == "hung" ? task.IsHung : task.IsSlow))
        {
            return false;
        }

        foreach (var (name, expected) in _attributes)
        {
            if (!HasAttribute(task, name, expected))
            {
                return false;
            }
        }

        return true;
    }

    public IEnumerable<TaskSnapshot> Order(IEnumerable<TaskSnapshot> tasks)
    {
        Func<TaskSnapshot, IComparable> key = Sort switch
        {
            "statusTime" => t => t.StatusTime,
            "id" => t => t.Id,
            "status" => t => t.Status,
            _ => t => t.StartTime,
        };
        return _descending ? tasks.OrderByDescending(key, Comparer<IComparable>.Default) : tasks.OrderBy(key, Comparer<IComparable>.Default);
    }

    private static bool HasAttribute(TaskSnapshot task, string name, string expected)
    {
        foreach (var (key, value) in task.Attributes)
        {
            if (string.Equals(key, name, StringComparison.Ordinal))
            {
                return string.Equals(Convert.ToString(value, CultureInfo.InvariantCulture), expected, StringComparison.Ordinal);
            }
        }

        return false;
    }

    /// <summary>Parses a duration such as <c>2.5</c>, <c>2.5s</c>, <c>300ms</c>, <c>1m</c> or <c>1h</c>.</summary>
    public static bool TryParseDuration(string text, out TimeSpan duration)
    {
        duration = default;
        var (number, scale) = text switch
        {
            _ when text.EndsWith("ms", StringComparison.Ordinal) => (text[..^2], 0.001),
            _ when text.EndsWith('s') => (text[..^1], 1.0),
            _ when text.EndsWith('m') => (text[..^1], 60.0),
            _ when text.EndsWith('h') => (text[..^1], 3600.0),
            _ => (text, 1.0),
        };
        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value)
            || !double.IsFinite(value * scale) || value * scale > TimeSpan.MaxValue.TotalSeconds / 2)
        {
            return false;
        }

        duration = TimeSpan.FromSeconds(value * scale);
        return true;
    }
}

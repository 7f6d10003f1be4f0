using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Pm.AspNetCore.Internal;

namespace Pm.AspNetCore.Tests;

public sealed class ListQueryTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);

    private static ListQuery Parse(string query)
    {
        Assert.True(ListQuery.TryParse(new QueryCollection(QueryHelpers.ParseQuery(query)), out var result, out var error), error);
        return result;
    }

    private static string Error(string query)
    {
        Assert.False(ListQuery.TryParse(new QueryCollection(QueryHelpers.ParseQuery(query)), out _, out var error));
        return error;
    }

    private static TaskSnapshot Task(string id, string status, double ageSeconds, params (string Name, object? Value)[] attributes) => new()
    {
        Id = id,
        Attributes = [.. attributes.Select(a => KeyValuePair.Create(a.Name, a.Value))],
        StartTime = Now.AddSeconds(-ageSeconds),
        Status = status,
        StatusTime = Now.AddSeconds(-ageSeconds / 2),
        IsKillRequested = false,
        ForbidKill = false,
    };

    [Fact]
    public void Matches_AttributeStatusAndAge_AllMustHold()
    {
        var query = Parse("?attr.method=GET&status=DB&minAge=2s");

        Assert.True(query.Filters);
        Assert.True(query.Matches(Task("a", "waiting for the db", 3, ("method", "GET")), Now));
        Assert.False(query.Matches(Task("b", "waiting for the db", 3, ("method", "POST")), Now));
        Assert.False(query.Matches(Task("c", "rendering", 3, ("method", "GET")), Now));
        Assert.False(query.Matches(Task("d", "waiting for the db", 1, ("method", "GET")), Now));
        Assert.False(query.Matches(Task("e", "waiting for the db", 3), Now));
    }

    [Fact]
    public void Matches_AttributeOfAnyType_ComparedAsInvariantText()
    {
        Assert.True(Parse("?attr.n=2.5").Matches(Task("a", "s", 1, ("n", 2.5)), Now));
        Assert.True(Parse("?attr.code=503").Matches(Task("a", "s", 1, ("code", 503)), Now));
    }

    [Theory]
    [InlineData("?minAge=1.5", 1.5)]
    [InlineData("?minAge=300ms", 0.3)]
    [InlineData("?minAge=2m", 120)]
    [InlineData("?minAge=1h", 3600)]
    public void Matches_MinAgeUnits_AreUnderstood(string query, double seconds)
    {
        var parsed = Parse(query);
        Assert.True(parsed.Matches(Task("old", "s", seconds + 0.01), Now));
        Assert.False(parsed.Matches(Task("young", "s", seconds - 0.01), Now));
    }

    [Fact]
    public void Order_SortKeyAndDirection_AreApplied()
    {
        TaskSnapshot[] tasks = [Task("b", "y", 1), Task("a", "z", 3), Task("c", "x", 2)];

        Assert.Equal(["a", "c", "b"], Parse("?sort=procTime").Order(tasks).Select(t => t.Id));
        Assert.Equal(["c", "b", "a"], Parse("?sort=-id").Order(tasks).Select(t => t.Id));
        Assert.Equal(["c", "b", "a"], Parse("?sort=status").Order(tasks).Select(t => t.Id));
        Assert.Equal(5, Parse("?limit=5").Limit);
        Assert.False(Parse("?limit=5").Filters);
    }

    [Theory]
    [InlineData("?sort=age", "sort must be")]
    [InlineData("?minAge=soon", "minAge must be")]
    [InlineData("?minAge=-1s", "minAge must be")]
    [InlineData("?minAge=1e400", "minAge must be")]
    [InlineData("?limit=0", "limit must be")]
    [InlineData("?limit=abc", "limit must be")]
    [InlineData("?limit=1000001", "limit must be")]
    public void TryParse_BadValues_SayWhatIsExpected(string query, string message) =>
        Assert.StartsWith(message, Error(query), StringComparison.Ordinal);
}

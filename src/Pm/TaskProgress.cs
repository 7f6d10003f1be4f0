namespace Pm;

/// <summary>Represents how far a long task has come: units done out of a total, and the time left at the rate so far.</summary>
/// <param name="Done">The units done.</param>
/// <param name="Total">The units to do, when known.</param>
/// <param name="Unit">What is counted, such as <c>rows</c>, when given.</param>
/// <param name="Remaining">
/// The time left at the average rate since progress was first reported (or since the task started, after a single
/// report), counted from the latest report; <see langword="null"/> without a total or before the rate allows one.
/// </param>
public readonly record struct TaskProgress(long Done, long? Total, string? Unit, TimeSpan? Remaining)
{
    /// <summary>Gets the fraction done, from 0 to 1, when the total is known.</summary>
    public double? Fraction => Total switch
    {
        null => null,
        0 => 1,
        { } total => (double)Done / total,
    };
}

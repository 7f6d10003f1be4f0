namespace Pm.Client;

/// <summary>The failure a <see cref="PmClient"/> reports; expected answers such as "no such task" are results, not exceptions.</summary>
/// <remarks>Tell failures apart by <see cref="Kind"/>: <c>catch (PmClientException e) when (e.Kind == PmErrorKind.Unauthorized)</c>.</remarks>
public sealed class PmClientException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="PmClientException"/> class.</summary>
    public PmClientException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="PmClientException"/> class with a message.</summary>
    /// <param name="message">The message.</param>
    public PmClientException(string? message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="PmClientException"/> class with a message and an inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public PmClientException(string? message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Gets what kind of failure this is.</summary>
    public PmErrorKind Kind { get; init; } = PmErrorKind.Http;

    /// <summary>Gets the HTTP status code of the answer, if there was one.</summary>
    public int? StatusCode { get; init; }

    /// <summary>Gets how long the server asked the client to wait before trying again (its <c>Retry-After</c>), if it said.</summary>
    /// <remarks>Set on <see cref="PmErrorKind.Busy"/> failures; a date is read against the answer's own <c>Date</c>, so the client's clock does not matter.</remarks>
    public TimeSpan? RetryAfter { get; init; }
}

namespace Pm.Cli;

/// <summary>The exception thrown when endpoints cannot be discovered: a name that does not resolve, a resolver that does not answer, an unreadable file.</summary>
internal sealed class DiscoveryException : Exception
{
    public DiscoveryException()
    {
    }

    public DiscoveryException(string message)
        : base(message)
    {
    }

    public DiscoveryException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

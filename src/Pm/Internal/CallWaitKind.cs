namespace Pm.Internal;

/// <summary>What a call waits on.</summary>
internal enum CallWaitKind
{
    /// <summary>A connection from an HTTP client's pool, free or new.</summary>
    Connection,

    /// <summary>A DNS lookup of the host to connect to.</summary>
    Dns,

    /// <summary>A socket's connect.</summary>
    Connect,

    /// <summary>A database connection's open.</summary>
    DatabaseOpen,
}

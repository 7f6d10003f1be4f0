namespace Pm;

/// <summary>The kinds of dependency call that pm observes on its own; any other short lowercase word may be used too.</summary>
public static class CallKinds
{
    /// <summary>An outgoing HTTP request.</summary>
    public const string Http = "http";

    /// <summary>A database command.</summary>
    public const string Sql = "sql";

    /// <summary>A gRPC client call.</summary>
    public const string Grpc = "grpc";
}

using Pm.Npgsql;

// The extensions sit in Npgsql's namespace, beside the builders they extend.
namespace Npgsql;

/// <summary>Makes the commands of an Npgsql data source visible to pm inside tracked tasks.</summary>
public static class NpgsqlProcessListExtensions
{
    /// <summary>
    /// Lists each command of this data source that runs inside a tracked task as a call of kind <c>sql</c>: the task's
    /// status shows the statement while it runs, its history keeps it with its duration, and a kill of the task cancels
    /// it in PostgreSQL.
    /// </summary>
    /// <param name="builder">The data source's builder.</param>
    /// <returns>The same builder.</returns>
    /// <remarks>
    /// This sets the builder's command enrichment callback (<see cref="NpgsqlTracingOptionsBuilder.ConfigureCommandEnrichmentCallback"/>),
    /// replacing one set before. The calls' target is the database the connection string names (else its user name, as PostgreSQL defaults). Outside tracked tasks Npgsql creates no activity for pm. A command that EF Core already
    /// reports to pm is listed once.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static NpgsqlDataSourceBuilder UseProcessList(this NpgsqlDataSourceBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var target = NpgsqlCalls.Target(builder.ConnectionStringBuilder);
        var stop = NpgsqlCalls.Stop(builder.ConnectionString);
        return builder.ConfigureTracing(tracing => tracing.ConfigureCommandEnrichmentCallback((activity, command) => NpgsqlCalls.OnCommandStart(activity, command, target, stop)));
    }

    /// <inheritdoc cref="UseProcessList(NpgsqlDataSourceBuilder)"/>
    public static NpgsqlSlimDataSourceBuilder UseProcessList(this NpgsqlSlimDataSourceBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var target = NpgsqlCalls.Target(builder.ConnectionStringBuilder);
        var stop = NpgsqlCalls.Stop(builder.ConnectionString);
        return builder.ConfigureTracing(tracing => tracing.ConfigureCommandEnrichmentCallback((activity, command) => NpgsqlCalls.OnCommandStart(activity, command, target, stop)));
    }
}

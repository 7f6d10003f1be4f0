using System.Diagnostics;
using Npgsql;
using Pm.Internal;

namespace Pm.Npgsql;

/// <summary>
/// Turns the commands Npgsql traces inside a tracked task into the task's calls: Npgsql's enrichment callback begins
/// the call, the end of Npgsql's activity ends it.
/// </summary>
/// <remarks>
/// Npgsql's activity exists only if a listener samples its source, so one listener samples it inside tasks whose list
/// observes SQL, at the least level that still runs the callback and records nothing, and refuses it everywhere else.
/// </remarks>
internal static class NpgsqlCalls
{
    private const string SourceName = "Npgsql";
    private const string CallProperty = "Pm.Npgsql.Call";
    private const string FailureProperty = "Pm.Npgsql.Failure";

    private static readonly Lazy<ActivityListener> Listener = new(CreateListener);

    /// <summary>The kill hook: a cancel request to PostgreSQL for the command in flight.</summary>
    /// <remarks>
    /// A data source's own command (<c>dataSource.CreateCommand</c>) refuses <see cref="NpgsqlCommand.Cancel"/>, since
    /// it hides its connection: its backend is then cancelled with <c>pg_cancel_backend</c> over a connection of its own,
    /// which is what a cancel request does. That cancel arrives a few milliseconds later, when the command may have
    /// ended and its pooled connection may run another task's query; so it cancels only a query that started before
    /// the kill by the server's own clock (with a margin for the network), never a later one. A command that started
    /// just before the kill is reached by the next attempt: the hook runs again while the call is in flight.
    /// </remarks>
    public static Action<object?> Stop(string connectionString) => state =>
    {
        var command = (NpgsqlCommand)state!;
        try
        {
            command.Cancel();
        }
        catch (NotSupportedException)
        {
            if (InternalConnection?.GetValue(command) is NpgsqlConnection { ProcessID: > 0 } connection)
            {
                _ = CancelBackendAsync(connectionString, connection.ProcessID, Stopwatch.GetTimestamp());
            }
        }
    };

    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2075", Justification = "Npgsql's own member; without it a data source's command is not cancelled.")]
    private static readonly System.Reflection.PropertyInfo? InternalConnection =
        typeof(NpgsqlCommand).GetProperty("InternalConnection", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance);

    /// <summary>How much earlier than the kill, by the server's clock, a query must have started to be cancelled.</summary>
    private static readonly TimeSpan Margin = TimeSpan.FromMilliseconds(50);

    private static async Task CancelBackendAsync(string connectionString, int processId, long killedAt)
    {
        try
        {
            var connection = new NpgsqlConnection(connectionString);
            await using (connection.ConfigureAwait(false))
            {
                await connection.OpenAsync().ConfigureAwait(false);
                // The server's time of the kill: its time now, less what has passed here since (a monotonic clock).
                var cancel = new NpgsqlCommand(
                    "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE pid = @pid AND state = 'active' AND query_start < statement_timestamp() - @since",
                    connection);
                await using (cancel.ConfigureAwait(false))
                {
                    cancel.Parameters.AddWithValue("pid", processId);
                    cancel.Parameters.AddWithValue("since", Stopwatch.GetElapsedTime(killedAt) + Margin);
                    await cancel.ExecuteNonQueryAsync().ConfigureAwait(false);
                }
            }
        }
        catch (NpgsqlException)
        {
            // The command is left to end by itself, as when a cancel request does not arrive.
        }
    }

    /// <summary>The calls' target: the database, as PostgreSQL picks it (the user's name unless the connection string names one); starts the listener once per process.</summary>
    /// <remarks>Read from the builder, since a data source's commands give no access to their connection.</remarks>
    public static string? Target(NpgsqlConnectionStringBuilder settings)
    {
        _ = Listener.Value;
        return string.IsNullOrEmpty(settings.Database) ? settings.Username : settings.Database;
    }

    /// <summary>Begins the call of a command starting inside a task, unless it has one already (from EF Core's events).</summary>
    public static void OnCommandStart(Activity activity, NpgsqlCommand command, string? target, Action<object?> stop)
    {
        if (!Wanted(out var task) || task.FindCall(command).Task is not null)
        {
            return;
        }

        var call = task.BeginCall(CallKinds.Sql, SqlObserver.Describe(command, task.List.Dependencies), target, stop, command);
        activity.SetCustomProperty(CallProperty, call);
    }

    private static bool Wanted(out TrackedTask task)
    {
        task = TrackedTask.Current!;
        return task is not null && task.List.Dependencies.Sql;
    }

    private static ActivityListener CreateListener()
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = static source => source.Name == SourceName,
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) =>
                Wanted(out var _) ? ActivitySamplingResult.PropagationData : ActivitySamplingResult.None,
            ActivityStopped = OnStopped,
            ExceptionRecorder = static (Activity activity, Exception exception, ref TagList _) =>
            {
                if (activity.GetCustomProperty(CallProperty) is not null)
                {
                    activity.SetCustomProperty(FailureProperty, exception);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }

    private static void OnStopped(Activity activity)
    {
        if (activity.GetCustomProperty(CallProperty) is not TaskCall call)
        {
            return;
        }

        activity.SetCustomProperty(CallProperty, null);
        if (activity.GetCustomProperty(FailureProperty) is Exception failure)
        {
            call.Fail(failure);
        }
        else if (activity.Status == ActivityStatusCode.Error)
        {
            call.End(call.Task is { IsKillRequested: true } ? "killed" : "failed");
        }
        else
        {
            call.End();
        }
    }
}

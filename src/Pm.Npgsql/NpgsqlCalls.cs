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
    /// which is what a cancel request does.
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
                _ = CancelBackendAsync(connectionString, connection.ProcessID);
            }
        }
    };

    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2075", Justification = "Npgsql's own member; without it a data source's command is not cancelled.")]
    private static readonly System.Reflection.PropertyInfo? InternalConnection =
        typeof(NpgsqlCommand).GetProperty("InternalConnection", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance);

    private static async Task CancelBackendAsync(string connectionString, int processId)
    {
        try
        {
            var connection = new NpgsqlConnection(connectionString);
            await using (connection.ConfigureAwait(false))
            {
                await connection.OpenAsync().ConfigureAwait(false);
                var cancel = new NpgsqlCommand("SELECT pg_cancel_backend(@pid)", connection);
                await using (cancel.ConfigureAwait(false))
                {
                    cancel.Parameters.AddWithValue("pid", processId);
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

using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;

namespace Pm.Internal;

/// <summary>Stops a running database command from another thread, as a kill does.</summary>
/// <remarks>
/// Most providers cancel in the database through <see cref="DbCommand.Cancel"/> (Npgsql and SqlClient send the server a
/// cancel request). <c>Microsoft.Data.Sqlite</c>'s <c>Cancel</c> does nothing, so for SQLite the connection's
/// statement is interrupted with <c>sqlite3_interrupt</c>, reached by name so pm needs no SQLite package.
/// </remarks>
internal static class SqlKill
{
    private static readonly Lazy<Action<object>?> SqliteInterrupt = new(CreateSqliteInterrupt);

    public static readonly Action<object?> Stop = static state =>
    {
        var command = (DbCommand)state!;
        if (command.Connection is { } connection && connection.GetType().FullName == "Microsoft.Data.Sqlite.SqliteConnection"
            && SqliteInterrupt.Value is { } interrupt)
        {
            interrupt(connection);
            return;
        }

        command.Cancel();
    };

    /// <summary>The kill hook of a connection's open, which nothing stops from outside: it only marks the call as one the kill met.</summary>
    public static readonly Action<object?> Opening = static _ => { };

    /// <summary>The same as <see cref="Stop"/>, for the calls a second listener begins, so each listener finds its own.</summary>
    public static readonly Action<object?> StopCommand = static state => Stop(state);

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Reached only where Microsoft.Data.Sqlite and SQLitePCLRaw are loaded, which keep these public members.")]
    [UnconditionalSuppressMessage("Trimming", "IL2075", Justification = "As above.")]
    private static Action<object>? CreateSqliteInterrupt()
    {
        var raw = Type.GetType("SQLitePCL.raw, SQLitePCLRaw.core");
        var handleType = Type.GetType("SQLitePCL.sqlite3, SQLitePCLRaw.core");
        var interrupt = handleType is null ? null : raw?.GetMethod("sqlite3_interrupt", BindingFlags.Public | BindingFlags.Static, [handleType]);
        if (interrupt is null)
        {
            return null;
        }

        return connection =>
        {
            var handle = connection.GetType().GetProperty("Handle", BindingFlags.Public | BindingFlags.Instance)?.GetValue(connection);
            if (handle is not null)
            {
                interrupt.Invoke(null, [handle]);
            }
        };
    }
}

using System.Data.Common;
using System.Globalization;
using System.Text;

namespace Pm.Internal;

/// <summary>
/// Lists the database commands a task runs, from the events of EF Core (any provider) and SqlClient, and cancels them
/// in the database when the task is killed.
/// </summary>
/// <remarks>
/// The events' payloads are read by property name (<c>Command</c>, <c>Result</c>, <c>Exception</c>), so pm depends on
/// neither library. Parameter values are never read: only the statement's text.
/// </remarks>
internal sealed class SqlObserver : IObserver<KeyValuePair<string, object?>>
{
    public const string EntityFrameworkCore = "Microsoft.EntityFrameworkCore";
    public const string SqlClient = "SqlClientDiagnosticListener";
    public const string SystemSqlClient = "SqlClientDiagnosticListener_System";

    private const string EfExecuting = "Microsoft.EntityFrameworkCore.Database.Command.CommandExecuting";
    private const string EfExecuted = "Microsoft.EntityFrameworkCore.Database.Command.CommandExecuted";
    private const string EfError = "Microsoft.EntityFrameworkCore.Database.Command.CommandError";
    private const string EfCanceled = "Microsoft.EntityFrameworkCore.Database.Command.CommandCanceled";
    private const string EfReaderClosing = "Microsoft.EntityFrameworkCore.Database.Command.DataReaderClosing";
    private const string EfReaderDisposing = "Microsoft.EntityFrameworkCore.Database.Command.DataReaderDisposing";
    private const string EfIterationFailed = "Microsoft.EntityFrameworkCore.Query.QueryIterationFailed";
    private const string EfOpening = "Microsoft.EntityFrameworkCore.Database.Connection.ConnectionOpening";
    private const string EfOpened = "Microsoft.EntityFrameworkCore.Database.Connection.ConnectionOpened";
    private const string EfOpenError = "Microsoft.EntityFrameworkCore.Database.Connection.ConnectionError";

    /// <summary>A connection opened faster than this (from a pool, say) leaves no history entry, so that each command does not add two.</summary>
    private const long KeptOpenTicks = 100 * TimeSpan.TicksPerMillisecond;

    // The kill hook of the calls this listener begins: EF Core's and SqlClient's are told apart, so that SqlClient's
    // end of a command EF Core runs (which comes before its rows are read) leaves EF Core's call in flight.
    private readonly Action<object?> _stop;

    public SqlObserver(string listener) => _stop = listener == EntityFrameworkCore ? SqlKill.Stop : SqlKill.StopCommand;

    /// <summary>Whether an event is wanted: one of a command's start and end, or of the reading of its rows.</summary>
    /// <remarks>
    /// The answer cannot depend on the current task: EF Core remembers it for a second per context, so a command run
    /// outside a task would hide the next second's commands inside tasks. Outside a task, <see cref="OnNext"/> returns
    /// at once.
    /// </remarks>
    public static readonly Predicate<string> IsEnabled = name => Kind(name) != EventKind.None;

    private enum EventKind
    {
        None,
        Start,
        End,
        Error,
        ReaderEnd,
        IterationError,
        Opening,
        Opened,
        OpenError,
    }

    public void OnNext(KeyValuePair<string, object?> value)
    {
        if (TrackedTask.Current is not { } task || !task.List.Dependencies.Sql || value.Value is not { } payload)
        {
            return;
        }

        var kind = Kind(value.Key);
        if (kind == EventKind.IterationError)
        {
            // The rows are read after the command's execution ended, so a failure while reading them (the interrupt
            // of a kill, say) names no command: it belongs to the newest command of the task still reading.
            if (Read(payload, "Exception") is Exception failure)
            {
                task.FindNewestCall(SqlKill.Stop).Fail(failure);
            }

            return;
        }

        if (kind is EventKind.Opening or EventKind.Opened or EventKind.OpenError)
        {
            if (Read(payload, "Connection") is DbConnection connection)
            {
                ObserveOpen(task, kind, connection, payload);
            }

            return;
        }

        if (Read(payload, "Command") is not DbCommand command)
        {
            return;
        }

        switch (kind)
        {
            case EventKind.Start:
                // A command's start is a cancellation point: once the task is killed, no new command reaches the
                // database (a command stopped before it started cannot be interrupted, so a loop of short commands
                // would otherwise outlive the kill). The exception reaches the code that ran the command.
                task.ThrowIfKilled();

                // A command seen twice (EF Core over SqlClient reports it from both) is listed once.
                if (task.FindCall(command).Task is null)
                {
                    task.BeginCall(CallKinds.Sql, Describe(command, task.List.Dependencies), Target(command), _stop, command);
                }

                break;
            case EventKind.End:
                var result = Read(payload, "Result");

                // A reader's statement goes on running while its rows are read: the call, and with it the kill hook,
                // lasts until the reader closes, so an interrupt cannot reach the statement after its call has ended.
                if (result is not DbDataReader)
                {
                    task.FindCall(command, _stop).End(result is int rows && rows >= 0 ? RowsText(rows) : null);
                }

                break;
            case EventKind.ReaderEnd:
                task.FindCall(command, _stop).End();
                break;
            case EventKind.Error:
                var call = task.FindCall(command, _stop);
                if (Read(payload, "Exception") is Exception exception)
                {
                    call.Fail(exception);
                }
                else
                {
                    call.End(task.IsKillRequested ? "killed" : "cancelled");
                }

                break;
        }
    }

    public void OnCompleted()
    {
    }

    public void OnError(Exception error)
    {
    }

    // A connection being opened is a call of its own: the status says so, and a slow or failed open is kept.
    private static void ObserveOpen(TrackedTask task, EventKind kind, DbConnection connection, object payload)
    {
        if (kind == EventKind.Opening)
        {
            if (task.FindCall(connection, SqlKill.Opening).Task is null)
            {
                task.BeginCall(CallKinds.Sql, "SQL (opening connection)", Target(connection), SqlKill.Opening, connection);
            }

            return;
        }

        var call = task.FindCall(connection, SqlKill.Opening);
        if (call.Record is not { } record)
        {
            return;
        }

        if (kind == EventKind.OpenError && Read(payload, "Exception") is Exception exception)
        {
            call.Fail(exception);
        }
        else
        {
            task.EndCall(record, "opened", keep: task.List.NowTicks() - record.StartTicks >= KeptOpenTicks);
        }
    }

    private static EventKind Kind(string name) => name switch
    {
        EfExecuting => EventKind.Start,
        EfExecuted => EventKind.End,
        EfError or EfCanceled => EventKind.Error,
        EfReaderClosing or EfReaderDisposing => EventKind.ReaderEnd,
        EfIterationFailed => EventKind.IterationError,
        EfOpening => EventKind.Opening,
        EfOpened => EventKind.Opened,
        EfOpenError => EventKind.OpenError,
        _ when name.EndsWith(".WriteCommandBefore", StringComparison.Ordinal) => EventKind.Start,
        _ when name.EndsWith(".WriteCommandAfter", StringComparison.Ordinal) => EventKind.End,
        _ when name.EndsWith(".WriteCommandError", StringComparison.Ordinal) => EventKind.Error,
        _ => EventKind.None,
    };

    // The statement on one line, its whitespace runs made single spaces, cut to the configured length.
    internal static string Describe(DbCommand command, DependencyOptions options)
    {
        var text = command.CommandText ?? string.Empty;
        var limit = Math.Min(text.Length, options.MaxDescriptionLength * 2);
        var line = new StringBuilder("SQL ", limit + 4);
        var space = false;
        foreach (var c in text.AsSpan(0, limit).Trim())
        {
            if (char.IsWhiteSpace(c))
            {
                space = true;
                continue;
            }

            if (space)
            {
                line.Append(' ');
                space = false;
            }

            line.Append(c);
        }

        return options.Describe(line.ToString());
    }

    internal static string? Target(DbCommand command) => command.Connection is { } connection ? Target(connection) : null;

    private static string? Target(DbConnection connection)
    {
        var database = connection.Database;
        return string.IsNullOrEmpty(database) || database == "main" ? Path.GetFileName(connection.DataSource) : database;
    }

    private static string RowsText(int rows) => rows == 1 ? "1 row" : rows.ToString(CultureInfo.InvariantCulture) + " rows";

    private static object? Read(object payload, string name) => Payload.Read(payload, name);
}

using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Pm.Tests;

/// <summary>
/// Work that passes no token and writes no status runs SQL through EF Core on a SQLite file: pm lists the statement,
/// records its end, and a kill interrupts it in the database although SQLite's own <c>Cancel</c> does nothing.
/// </summary>
public sealed class SqlCallTests : IDisposable
{
    // Counts to a number SQLite would take hours to reach: only an interrupt ends it in time.
    private const string Endless = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000000000) SELECT count(*) AS \"Value\" FROM c";

    private readonly string _path = Path.Combine(Path.GetTempPath(), $"pm-sql-{Guid.NewGuid():N}.db");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        File.Delete(_path);
    }

    [Fact]
    public async Task Query_InsideATask_IsListedWhileItRunsAndRecordedWithItsRows()
    {
        using var list = new ProcessList();
        await using var db = new Db(_path);
        await db.Database.ExecuteSqlRawAsync("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT)", Ct);

        await list.RunAsync("job", async _ =>
        {
            await db.Database.ExecuteSqlRawAsync("INSERT INTO items (name) VALUES ('a'), ('b')");
            await db.Database.SqlQueryRaw<long>("SELECT count(*) AS \"Value\" FROM items").SingleAsync();
        });

        Assert.True(list.TryGetHistory("job", out var history));
        var calls = history.Entries.Where(e => e.Kind == CallKinds.Sql && !e.Status.StartsWith("SQL (opening connection)", StringComparison.Ordinal)).ToArray();
        Assert.Equal(2, calls.Length);
        Assert.Equal("SQL INSERT INTO items (name) VALUES ('a'), ('b') → 2 rows", calls[0].Status);
        Assert.StartsWith("SQL SELECT \"s\".\"Value\" FROM ( SELECT count(*) AS \"Value\" FROM items ) AS \"s\"", calls[1].Status);
        Assert.All(calls, c => Assert.Equal(Path.GetFileName(_path), c.Target));
        Assert.All(calls, c => Assert.NotNull(c.Duration));
    }

    [Fact]
    public async Task Kill_DuringALongStatement_InterruptsItAndTheTaskEndsKilled()
    {
        using var list = new ProcessList();
        await using var db = new Db(_path);
        await db.Database.OpenConnectionAsync(Ct);
        var listed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = list.Subscribe(e =>
        {
            if (e.Kind == TaskEventKind.Status && e.Text?.Contains("WITH RECURSIVE", StringComparison.Ordinal) == true)
            {
                listed.TrySetResult();
            }
        });

        var run = Task.Run(() => list.RunAsync("report", async _ => await db.Database.SqlQueryRaw<long>(Endless).SingleAsync()), Ct);
        await listed.Task.WaitAsync(Ct);
        // EF Core wraps the statement in a query of its own; the status shows it on one line.
        Assert.StartsWith("SQL SELECT \"s\".\"Value\" FROM ( WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL", Assert.Single(list.GetAll()).Status);

        list.Kill("report", "too slow");

        var failure = await Assert.ThrowsAsync<SqliteException>(() => run.WaitAsync(TimeSpan.FromSeconds(10), Ct));
        Assert.Equal(9, failure.SqliteErrorCode); // SQLITE_INTERRUPT
        Assert.True(list.TryGetHistory("report", out var history));
        Assert.Equal(TaskOutcome.Killed, history.Outcome);
        Assert.Equal("killed: too slow", history.Entries[^1].Status);
        Assert.EndsWith("→ killed", Assert.Single(history.Entries, e => e.Kind == CallKinds.Sql && !e.Status.StartsWith("SQL (opening connection)", StringComparison.Ordinal)).Status);

        // The connection stays usable: the interrupt ended that statement only.
        Assert.Equal(1, await db.Database.SqlQueryRaw<long>("SELECT 1 AS \"Value\"").SingleAsync(Ct));
    }

    [Fact]
    public async Task Open_ThatTakesLong_IsTheStatusWhileItLastsAndKeptInTheHistory()
    {
        using var list = new ProcessList();
        var opening = new SlowOpen();
        await using var db = new Db(_path, opening);
        var run = list.RunAsync("job", async _ => await db.Database.SqlQueryRaw<long>("SELECT 1 AS \"Value\"").SingleAsync());

        await opening.Entered.Task.WaitAsync(Ct);
        Assert.Equal("SQL (opening connection)", Assert.Single(list.GetAll()).Status);

        // Kept only once it lasted 100 ms: the time itself is what is tested here.
        await Task.Delay(150, Ct);
        opening.Release.SetResult();
        await run.WaitAsync(Ct);
        Assert.True(list.TryGetHistory("job", out var history));
        var open = Assert.Single(history.Entries, e => e.Status.StartsWith("SQL (opening connection)", StringComparison.Ordinal));
        Assert.Equal("SQL (opening connection) → opened", open.Status);
        Assert.Equal(CallKinds.Sql, open.Kind);
        Assert.True(open.Duration >= TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task Open_FromThePool_LeavesNoEntry()
    {
        using var list = new ProcessList();
        await using var db = new Db(_path);
        await db.Database.SqlQueryRaw<long>("SELECT 1 AS \"Value\"").SingleAsync(Ct);
        await list.RunAsync("job", async _ =>
        {
            for (var i = 0; i < 3; i++)
            {
                await db.Database.SqlQueryRaw<long>("SELECT 1 AS \"Value\"").SingleAsync();
            }
        });

        Assert.True(list.TryGetHistory("job", out var history));
        Assert.Equal(3, history.Entries.Count(e => e.Kind == CallKinds.Sql));
    }

    [Fact]
    public async Task Query_OutsideAnyTask_RecordsNothing()
    {
        using var list = new ProcessList();
        await using var db = new Db(_path);
        Assert.Equal(1, await db.Database.SqlQueryRaw<long>("SELECT 1 AS \"Value\"").SingleAsync(Ct));
        Assert.Empty(list.GetAll());
        Assert.Empty(list.GetFinished());
    }

    [Fact]
    public async Task Query_SqlObservationOff_RecordsNothing()
    {
        using var list = new ProcessList(new ProcessListOptions { Dependencies = new DependencyOptions { Sql = false } });
        await using var db = new Db(_path);
        await list.RunAsync("job", async _ => await db.Database.SqlQueryRaw<long>("SELECT 1 AS \"Value\"").SingleAsync());
        Assert.True(list.TryGetHistory("job", out var history));
        Assert.DoesNotContain(history.Entries, e => e.Kind is not null);
    }

    private sealed class Db(string path, IInterceptor? interceptor = null) : DbContext
    {
        protected override void OnConfiguring(DbContextOptionsBuilder optionsBuilder)
        {
            optionsBuilder.UseSqlite($"Data Source={path}");
            if (interceptor is not null)
            {
                optionsBuilder.AddInterceptors(interceptor);
            }
        }
    }

    /// <summary>Holds a connection's open until released, as a database slow to accept one would.</summary>
    private sealed class SlowOpen : DbConnectionInterceptor
    {
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override async ValueTask<InterceptionResult> ConnectionOpeningAsync(DbConnection connection, ConnectionEventData eventData, InterceptionResult result, CancellationToken cancellationToken = default)
        {
            Entered.TrySetResult();
            await Release.Task;
            return result;
        }
    }
}
